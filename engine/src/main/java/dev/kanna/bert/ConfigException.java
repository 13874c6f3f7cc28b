/*
 * A config.json that cannot describe a model we run: malformed JSON, a field of the wrong type or
 * out of range, or an architecture we do not support. One line: "<file>: field '<name>': <problem>".
 */
package dev.kanna.bert;

import java.nio.file.Path;

public final class ConfigException extends RuntimeException {

    private final Path file;
    private final String field;

    public ConfigException(Path file, String field, String problem) {
        super((file == null ? "config" : file.toString()) + ": "
                + (field == null ? "" : "field '" + field + "': ") + problem.replaceAll("[\\r\\n]+", " "));
        this.file = file;
        this.field = field;
    }

    /** The file read, or null for a config built in code. */
    public Path file() {
        return file;
    }

    /** The field at fault, or null when the file as a whole is (e.g. malformed JSON). */
    public String field() {
        return field;
    }
}
