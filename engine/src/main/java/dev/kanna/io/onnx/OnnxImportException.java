/*
 * An ONNX file (or the tokenizer.json beside it) that cannot be imported: malformed or truncated
 * protobuf, a missing or mis-shaped tensor, a graph that is not a BERT of the supported form.
 * One line: "<file>: <what is wrong>; <what was expected>".
 */
package dev.kanna.io.onnx;

import java.nio.file.Path;

public final class OnnxImportException extends RuntimeException {

    private final Path file;

    public OnnxImportException(Path file, String problem) {
        super(file + ": " + problem.replaceAll("[\\r\\n]+", " "));
        this.file = file;
    }

    public Path file() {
        return file;
    }
}
