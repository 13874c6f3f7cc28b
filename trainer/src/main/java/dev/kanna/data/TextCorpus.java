/*
 * Unlabelled domain text for masked-LM pretraining: plain text (any name but .jsonl/.json/.ndjson,
 * optionally .gz), one document per line, or JSONL with the text in a field. Strict UTF-8; an
 * empty file, an empty or blank line, or a JSONL row without its text is one DatasetException
 * naming the file and line. Rows come back as unlabelled Examples, their line numbers kept.
 */
package dev.kanna.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

public final class TextCorpus {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TextCorpus() {
    }

    /** Every document of the file; textField names the JSONL field with the text. */
    public static List<Example> read(java.nio.file.Path file, String textField) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT).replaceAll("\\.gz$", "");
        boolean jsonl = name.endsWith(".jsonl") || name.endsWith(".json") || name.endsWith(".ndjson");
        List<Example> rows = DatasetReader.withLines(file, in -> {
            List<Example> out = new ArrayList<>();
            for (String line; (line = in.readLine()) != null; ) {
                long number = in.lineNumber();
                String text = jsonl ? jsonText(file, number, line, textField) : line;
                if (text.isBlank()) {
                    throw new DatasetException(file + ":" + number + ": empty " + (jsonl ? "text" : "line")
                            + "; expected one document per line");
                }
                out.add(Example.unlabelled(text, null, number));
            }
            return out;
        });
        if (rows.isEmpty()) throw new DatasetException(file + ": no text (the file is empty)");
        return rows;
    }

    private static String jsonText(java.nio.file.Path file, long number, String line, String field) {
        JsonNode row;
        try {
            row = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new DatasetException(file + ":" + number + ": not valid JSON (" + e.getOriginalMessage() + ")");
        }
        JsonNode text = row == null || !row.isObject() ? null : row.get(field);
        if (text == null || !text.isTextual()) {
            throw new DatasetException(file + ":" + number + ": expected an object with a string field \"" + field + "\"");
        }
        return text.textValue();
    }
}
