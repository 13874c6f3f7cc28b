/*
 * Unlabelled domain text: one document per line of a plain-text file, or the text field of each row
 * of a JSONL file (.jsonl, .json, .ndjson), either optionally gzipped. Streamed, so a corpus larger
 * than memory works. A blank line, a row without its text, or a file without documents is one
 * DatasetException naming the file and line: an empty document is almost always a broken export.
 */
package dev.kanna.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Consumer;

public final class TextCorpus {

    /** The JSONL field read when none is named. */
    public static final String DEFAULT_FIELD = "text";

    private static final ObjectMapper JSON = new ObjectMapper();

    private TextCorpus() {
    }

    /** True when the file is read as JSONL rather than as one document per line. */
    public static boolean isJsonl(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (DataFormat.gzipped(file)) name = name.substring(0, name.length() - 3);
        return name.endsWith(".jsonl") || name.endsWith(".json") || name.endsWith(".ndjson");
    }

    /**
     * Hands every document of the file, in order, to the handler; returns how many there were.
     *
     * @param textField the JSONL field holding the text; null means {@value #DEFAULT_FIELD}. Naming
     *                  one for a plain-text file is an error, since it would be silently ignored.
     */
    public static long forEach(Path file, String textField, Consumer<String> handler) {
        boolean jsonl = isJsonl(file);
        if (!jsonl && textField != null) {
            throw new DatasetException(file + ": a text field (\"" + textField + "\") applies to JSONL files only;"
                    + " this file is read as plain text, one document per line");
        }
        String field = textField != null ? textField : DEFAULT_FIELD;
        long documents = DatasetReader.withLines(file, in -> {
            long n = 0;
            for (String line; (line = in.readLine()) != null; n++) {
                String where = file + ":" + in.lineNumber();
                if (line.isBlank()) {
                    throw new DatasetException(where + ": empty line (one document per line; remove blank lines)");
                }
                handler.accept(jsonl ? jsonText(where, line, field) : line);
            }
            return n;
        });
        if (documents == 0) throw new DatasetException(file + ": no documents (the file is empty)");
        return documents;
    }

    /** Every document of the file as an unlabelled Example, numbered by its line (a document per line). */
    public static java.util.List<Example> read(Path file, String textField) {
        java.util.List<Example> documents = new java.util.ArrayList<>();
        forEach(file, textField, text -> documents.add(Example.unlabelled(text, null, documents.size() + 1)));
        return documents;
    }

    private static String jsonText(String where, String line, String field) {
        JsonNode row;
        try {
            row = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new DatasetException(where + ": not valid JSON (" + e.getOriginalMessage() + ")");
        }
        if (row == null || !row.isObject()) throw new DatasetException(where + ": expected a JSON object per line");
        JsonNode value = row.get(field);
        if (value == null || value.isNull()) throw new DatasetException(where + ": missing field \"" + field + "\"");
        if (!value.isTextual()) {
            throw new DatasetException(where + ": field \"" + field + "\" must be a string, got "
                    + value.getNodeType().name().toLowerCase(Locale.ROOT));
        }
        if (value.textValue().isBlank()) throw new DatasetException(where + ": field \"" + field + "\" is empty");
        return value.textValue();
    }
}
