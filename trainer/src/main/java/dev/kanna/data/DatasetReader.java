/*
 * Reads a labelled dataset (JSONL, CSV or TSV; optionally gzipped) into memory. Text is decoded as
 * strict UTF-8: an invalid byte sequence, a row without the text or label field, or a file without
 * rows is one DatasetException naming the file and line.
 */
package dev.kanna.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

public final class DatasetReader {

    /** Which fields hold the text, the optional second text and the label. */
    public record Fields(String text, String textPair, String label) {
        public static Fields defaults() {
            return new Fields("text", null, "label");
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private DatasetReader() {
    }

    /** Reads every row; each must have its text (and text pair, when asked for) and its label. */
    public static List<Example> read(Path file, Fields fields) {
        DataFormat format = DataFormat.of(file);
        List<Example> rows;
        try (Utf8Lines in = open(file)) {
            rows = switch (format) {
                case JSONL -> readJsonl(file, in, fields);
                case CSV -> readDelimited(file, in, ',', fields);
                case TSV -> readDelimited(file, in, '\t', fields);
            };
        } catch (NoSuchFileException e) {
            throw new DatasetException(file + ": no such file");
        } catch (IOException e) {
            throw new DatasetException(file + ": cannot read: " + e.getMessage(), e);
        }
        if (rows.isEmpty()) throw new DatasetException(file + ": no rows (the file is empty)");
        return rows;
    }

    static Utf8Lines open(Path file) throws IOException {
        InputStream raw = Files.newInputStream(file);
        if (DataFormat.gzipped(file)) {
            try {
                raw = new GZIPInputStream(raw, 1 << 16);   // reads the header: throws on a file that is not gzip
            } catch (IOException | RuntimeException e) {
                raw.close();
                throw e;
            }
        }
        return new Utf8Lines(raw, file.toString(), true);
    }

    private static List<Example> readJsonl(Path file, Utf8Lines in, Fields fields) throws IOException {
        List<Example> rows = new ArrayList<>();
        String line;
        while ((line = in.readLine()) != null) {
            long lineNo = in.lineNumber();
            if (line.isBlank()) continue;
            JsonNode node;
            try {
                node = JSON.readTree(line);
            } catch (JsonProcessingException e) {
                throw new DatasetException(file + ":" + lineNo + ": not valid JSON ("
                        + e.getOriginalMessage() + ")");
            }
            if (node == null || !node.isObject()) {
                throw new DatasetException(file + ":" + lineNo + ": expected a JSON object per line");
            }
            String text = jsonText(file, lineNo, node, fields.text());
            String pair = fields.textPair() == null ? null : jsonText(file, lineNo, node, fields.textPair());
            String label = jsonText(file, lineNo, node, fields.label());
            rows.add(Example.of(text, pair, label, lineNo));
        }
        return rows;
    }

    private static String jsonText(Path file, long lineNo, JsonNode row, String field) {
        JsonNode value = row.get(field);
        if (value == null || value.isNull()) {
            throw new DatasetException(file + ":" + lineNo + ": missing field \"" + field + "\"");
        }
        if (value.isTextual()) return value.textValue();
        if (value.isIntegralNumber() || value.isBoolean()) return value.asText();
        throw new DatasetException(file + ":" + lineNo + ": field \"" + field + "\" must be a string"
                + " (or an integer/boolean label), got " + value.getNodeType().name().toLowerCase());
    }

    private static List<Example> readDelimited(Path file, Utf8Lines in, char delimiter, Fields fields)
            throws IOException {
        DelimitedParser parser = new DelimitedParser(file, in, delimiter);
        List<String> header = parser.next();
        if (header == null) return List.of();
        int textCol = column(file, header, fields.text());
        int pairCol = fields.textPair() == null ? -1 : column(file, header, fields.textPair());
        int labelCol = column(file, header, fields.label());
        List<Example> rows = new ArrayList<>();
        List<String> record;
        while ((record = parser.next()) != null) {
            long lineNo = parser.recordStartLine();
            if (record.size() == 1 && record.getFirst().isEmpty()) continue;   // blank line
            if (record.size() != header.size()) {
                throw new DatasetException(file + ":" + lineNo + ": expected " + header.size() + " fields as in the"
                        + " header, found " + record.size());
            }
            String label = record.get(labelCol);
            if (label.isEmpty()) {
                throw new DatasetException(file + ":" + lineNo + ": empty field \"" + fields.label() + "\"");
            }
            rows.add(Example.of(record.get(textCol), pairCol < 0 ? null : record.get(pairCol), label, lineNo));
        }
        return rows;
    }

    private static int column(Path file, List<String> header, String field) {
        int col = header.indexOf(field);
        if (col < 0) {
            throw new DatasetException(file + ":1: the header has no column \"" + field + "\" (columns: "
                    + String.join(", ", header) + ")");
        }
        return col;
    }
}
