/*
 * The label field's rules for the LIST and NUMBER shapes (SINGLE keeps DatasetReader's own). A
 * multi-label field is a JSON array or a string split on the separator; a regression label is a
 * finite decimal number, kept as its text so that the task, not the reader, decides how to parse it.
 */
package dev.kanna.data;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

final class LabelValues {
    // Plain decimals only: Double.parseDouble would also take "0x1p3", "2f" and "Infinity".
    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

    private LabelValues() {
    }

    /** A JSON array of strings or integers, or a string (split on the separator when there is one). */
    static List<String> listFromJson(Path file, long line, String field, JsonNode value, String separator) {
        if (value.isTextual()) return listFromCell(file, line, value.textValue(), separator);
        if (value.isIntegralNumber()) return List.of(value.asText());
        if (!value.isArray()) {
            throw new DatasetException(file + ":" + line + ": field \"" + field + "\" must be an array of labels"
                    + " or a string, got " + typeName(value));
        }
        List<String> labels = new ArrayList<>(value.size());
        for (int i = 0; i < value.size(); i++) {
            JsonNode element = value.get(i);
            if (element.isTextual() && !element.textValue().isBlank()) {
                labels.add(element.textValue());
            } else if (element.isIntegralNumber()) {
                labels.add(element.asText());
            } else {
                throw new DatasetException(file + ":" + line + ": " + field + "[" + i + "] must be a label"
                        + " (a non-empty string or an integer), got "
                        + (element.isTextual() ? "\"" + element.textValue() + "\"" : typeName(element)));
            }
        }
        return distinct(file, line, labels);
    }

    /** A cell's labels: its trimmed parts between separators (or the whole cell), empty parts dropped. */
    static List<String> listFromCell(Path file, long line, String cell, String separator) {
        List<String> labels = new ArrayList<>();
        int from = 0;
        while (true) {
            int to = separator == null ? -1 : cell.indexOf(separator, from);
            String part = (to < 0 ? cell.substring(from) : cell.substring(from, to)).strip();
            if (!part.isEmpty()) labels.add(part);
            if (to < 0) break;
            from = to + separator.length();
        }
        return distinct(file, line, labels);
    }

    private static List<String> distinct(Path file, long line, List<String> labels) {
        Set<String> seen = new HashSet<>();
        for (String label : labels) {
            if (!seen.add(label)) {
                throw new DatasetException(file + ":" + line + ": label \"" + label + "\" appears twice in the row");
            }
        }
        return labels;
    }

    /** A JSON number (its text as Jackson gives it) or a string holding a decimal number. */
    static String numberFromJson(Path file, long line, String field, JsonNode value) {
        if (value.isNumber()) return finite(file, line, value.asText());
        if (value.isTextual()) return numberFromCell(file, line, value.textValue());
        throw new DatasetException(file + ":" + line + ": field \"" + field + "\" must be a number (or a string"
                + " holding one), got " + typeName(value));
    }

    /** A cell holding a decimal number, surrounding spaces dropped. */
    static String numberFromCell(Path file, long line, String cell) {
        String text = cell.strip();
        if (DECIMAL.matcher(text).matches()) return finite(file, line, text);
        String word = text.toLowerCase(Locale.ROOT).replaceFirst("^[+-]", "");
        if (word.equals("nan") || word.equals("inf") || word.equals("infinity")) {
            throw new DatasetException(file + ":" + line + ": label \"" + cell + "\" is not a finite number");
        }
        throw new DatasetException(file + ":" + line + ": label \"" + cell + "\" is not a number");
    }

    private static String finite(Path file, long line, String text) {
        if (!Double.isFinite(Double.parseDouble(text))) {   // NaN, or beyond the double range (1e400)
            throw new DatasetException(file + ":" + line + ": label \"" + text + "\" is not a finite number");
        }
        return text;
    }

    static String typeName(JsonNode value) {
        return value.getNodeType().name().toLowerCase(Locale.ROOT);
    }
}
