/*
 * Reads a labelled dataset (JSONL, CSV or TSV; optionally gzipped) into memory, its labels in one of
 * the LabelShapes. Text is decoded as strict UTF-8: an invalid byte sequence, a row without the text
 * or label field, a label that does not fit the shape, or a file without rows is one DatasetException
 * naming the file and line.
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

    /**
     * Which fields hold the text, the optional second text and the label.
     *
     * @param labelSeparator multi-label only: splits a string label field into labels (null: a string
     *                       is one label; a JSON array is always accepted)
     */
    public record Fields(String text, String textPair, String label, String labelSeparator) {
        public Fields {
            if (labelSeparator != null && labelSeparator.isEmpty()) {
                throw new IllegalArgumentException("the label separator must not be empty");
            }
        }

        public Fields(String text, String textPair, String label) {
            this(text, textPair, label, null);
        }

        public static Fields defaults() {
            return new Fields("text", null, "label", null);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private DatasetReader() {
    }

    /** Reads every row; each must have its text (and text pair, when asked for) and its one label. */
    public static List<Example> read(Path file, Fields fields) {
        return read(file, fields, LabelShape.SINGLE);
    }

    /** Reads every row, its label field read as the shape says. */
    public static List<Example> read(Path file, Fields fields, LabelShape shape) {
        DataFormat format = DataFormat.of(file);
        if (format == DataFormat.CONLL) {
            throw new DatasetException(file + ": a CoNLL file holds tagged tokens, not labelled texts"
                    + " (expected .jsonl, .csv or .tsv)");
        }
        List<Example> rows = withLines(file, in -> format == DataFormat.JSONL
                ? readJsonl(file, in, fields, shape)
                : readDelimited(file, in, format == DataFormat.CSV ? ',' : '\t', fields, shape));
        if (rows.isEmpty()) throw new DatasetException(file + ": no rows (the file is empty)");
        return rows;
    }

    /** What reads a dataset from its lines. */
    interface LinesReader<T> {
        T read(Utf8Lines in) throws IOException;
    }

    /** Opens the file, runs the reader, and turns a missing or unreadable file into one DatasetException. */
    static <T> T withLines(Path file, LinesReader<T> reader) {
        try (Utf8Lines in = open(file)) {
            return reader.read(in);
        } catch (NoSuchFileException e) {
            throw new DatasetException(file + ": no such file");
        } catch (IOException e) {
            throw new DatasetException(file + ": cannot read: " + e.getMessage(), e);
        }
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

    private static List<Example> readJsonl(Path file, Utf8Lines in, Fields fields, LabelShape shape)
            throws IOException {
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
            List<String> labels = switch (shape) {
                case SINGLE -> List.of(jsonText(file, lineNo, node, fields.label()));
                case LIST -> LabelValues.listFromJson(file, lineNo, fields.label(),
                        jsonField(file, lineNo, node, fields.label()), fields.labelSeparator());
                case NUMBER -> List.of(LabelValues.numberFromJson(file, lineNo, fields.label(),
                        jsonField(file, lineNo, node, fields.label())));
            };
            rows.add(new Example(text, pair, labels, lineNo));
        }
        return rows;
    }

    private static String jsonText(Path file, long lineNo, JsonNode row, String field) {
        JsonNode value = jsonField(file, lineNo, row, field);
        if (value.isTextual()) return value.textValue();
        if (value.isIntegralNumber() || value.isBoolean()) return value.asText();
        throw new DatasetException(file + ":" + lineNo + ": field \"" + field + "\" must be a string"
                + " (or an integer/boolean label), got " + value.getNodeType().name().toLowerCase());
    }

    /** The field's value; a missing field and a JSON null are the same error. */
    private static JsonNode jsonField(Path file, long lineNo, JsonNode row, String field) {
        JsonNode value = row.get(field);
        if (value == null || value.isNull()) {
            throw new DatasetException(file + ":" + lineNo + ": missing field \"" + field + "\"");
        }
        return value;
    }

    private static List<Example> readDelimited(Path file, Utf8Lines in, char delimiter, Fields fields,
                                               LabelShape shape) throws IOException {
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
            if (label.isEmpty() && shape != LabelShape.LIST) {   // an empty cell is an empty label set
                throw new DatasetException(file + ":" + lineNo + ": empty field \"" + fields.label() + "\"");
            }
            List<String> labels = switch (shape) {
                case SINGLE -> List.of(label);
                case LIST -> LabelValues.listFromCell(file, lineNo, label, fields.labelSeparator());
                case NUMBER -> List.of(LabelValues.numberFromCell(file, lineNo, label));
            };
            rows.add(new Example(record.get(textCol), pairCol < 0 ? null : record.get(pairCol), labels, lineNo));
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
