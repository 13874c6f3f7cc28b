/*
 * Writes a dataset with new rows after its own, in the file's format, every other field kept:
 * the original rows first as they were, then each new row as a copy of its source row's record
 * with the text (or the words and tags) replaced and the source marked.
 *
 *   JSONL    the original lines verbatim; a new row is its source's object with the text field
 *            (tokens and tags fields) replaced and "augmented_from": the source's 0-based row index
 *   CSV/TSV  the header gains a column augmented_from (kept if it has one), empty for the original
 *            rows; fields are quoted where RFC 4180 needs it
 *   CoNLL    the original lines verbatim (document markers too), then the new sentences, a blank
 *            line after each: the word, "_" in the other columns, the tag in its column, separated as
 *            the source sentence's first line is (a tab, else a space). CoNLL has no field for the
 *            mark: new sentences follow in source order, `copies` per sentence, so new sentence j
 *            (0-based) comes from sentence ⌊j / copies⌋
 *
 * A name ending in .gz is gzipped. The file is written to a temporary sibling and renamed into place.
 */
package dev.kanna.data;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kanna.io.AtomicFiles;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;

public final class AugmentedFile {
    /** The field (column) that marks a new row with its source row's index. */
    public static final String SOURCE_FIELD = "augmented_from";
    private static final ObjectMapper JSON = new ObjectMapper();

    private AugmentedFile() {
    }

    /** Checks that out can hold what in holds: the same format (any CoNLL name for CoNLL data). */
    public static void checkFormats(Path in, Path out, boolean tagged) {
        DataFormat a = DataFormat.of(in), b = DataFormat.of(out);
        boolean same = tagged ? (a == DataFormat.JSONL) == (b == DataFormat.JSONL) : a == b;
        if (!same) {
            throw new IllegalArgumentException("--out " + out + ": augment writes the format it reads (" + name(a, tagged)
                    + "), not " + name(b, tagged));
        }
    }

    private static String name(DataFormat f, boolean tagged) {
        return tagged && f != DataFormat.JSONL ? "CoNLL" : f.name();
    }

    /**
     * Text rows: rows as read from in (fields), then added, added.get(j) made from rows.get(source[j]).
     */
    public static void writeText(Path in, Path out, DatasetReader.Fields fields, List<Example> rows, List<Example> added,
                                 int[] source) throws IOException {
        DataFormat format = DataFormat.of(in);
        if (format == DataFormat.JSONL) {
            List<String> lines = jsonLines(in);
            check(in, lines.size(), rows.size());
            write(out, w -> {
                for (String line : lines) w.write(line + "\n");
                for (int j = 0; j < added.size(); j++) {
                    ObjectNode node = (ObjectNode) JSON.readTree(lines.get(source[j]));
                    node.put(fields.text(), added.get(j).text());
                    if (fields.textPair() != null) node.put(fields.textPair(), added.get(j).textPair());
                    node.put(SOURCE_FIELD, source[j]);
                    w.write(JSON.writeValueAsString(node) + "\n");
                }
            });
            return;
        }
        char delimiter = format == DataFormat.CSV ? ',' : '\t';
        List<List<String>> records = DatasetReader.withLines(in, lines -> {
            DelimitedParser parser = new DelimitedParser(in, lines, delimiter);
            List<List<String>> all = new ArrayList<>();
            for (List<String> r; (r = parser.next()) != null; ) {
                if (!all.isEmpty() && r.size() == 1 && r.getFirst().isEmpty()) continue;   // blank line, as the reader
                all.add(new ArrayList<>(r));
            }
            return all;
        });
        List<String> header = records.getFirst();
        check(in, records.size() - 1, rows.size());
        int textCol = header.indexOf(fields.text());
        int pairCol = fields.textPair() == null ? -1 : header.indexOf(fields.textPair());
        int mark = header.indexOf(SOURCE_FIELD);
        if (mark < 0) {
            mark = header.size();
            for (List<String> r : records) r.add(r == header ? SOURCE_FIELD : "");
        }
        int markCol = mark;
        write(out, w -> {
            for (List<String> r : records) w.write(record(r, delimiter));
            for (int j = 0; j < added.size(); j++) {
                List<String> r = new ArrayList<>(records.get(source[j] + 1));
                r.set(textCol, added.get(j).text());
                if (pairCol >= 0) r.set(pairCol, added.get(j).textPair());
                r.set(markCol, Integer.toString(source[j]));
                w.write(record(r, delimiter));
            }
        });
    }

    /** Tagged sentences: rows as read from in, then added, added.get(j) made from rows.get(source[j]). */
    public static void writeTagged(Path in, Path out, TagFields fields, List<TaggedSentence> rows,
                                   List<TaggedSentence> added, int[] source) throws IOException {
        if (DataFormat.of(in) == DataFormat.JSONL) {
            List<String> lines = jsonLines(in);
            check(in, lines.size(), rows.size());
            write(out, w -> {
                for (String line : lines) w.write(line + "\n");
                for (int j = 0; j < added.size(); j++) {
                    ObjectNode node = (ObjectNode) JSON.readTree(lines.get(source[j]));
                    ArrayNode tokens = node.putArray(fields.tokensField()), tags = node.putArray(fields.tagsField());
                    added.get(j).words().forEach(tokens::add);
                    added.get(j).tags().forEach(tags::add);
                    node.put(SOURCE_FIELD, source[j]);
                    w.write(JSON.writeValueAsString(node) + "\n");
                }
            });
            return;
        }
        List<String> lines = DatasetReader.withLines(in, r -> {
            List<String> all = new ArrayList<>();
            for (String line; (line = r.readLine()) != null; ) all.add(line);
            return all;
        });
        write(out, w -> {
            for (String line : lines) w.write(line + "\n");
            if (!lines.isEmpty() && !lines.getLast().isBlank()) w.write("\n");
            for (int j = 0; j < added.size(); j++) {
                String first = lines.get((int) rows.get(source[j]).line() - 1);
                boolean tab = first.indexOf('\t') >= 0;
                int columns = tab ? first.split("\t", -1).length : first.strip().split("\\s+").length;
                int tagColumn = fields.tagColumn() < 0 ? columns - 1 : fields.tagColumn();
                TaggedSentence s = added.get(j);
                for (int k = 0; k < s.words().size(); k++) {
                    List<String> cells = new ArrayList<>();
                    for (int c = 0; c < columns; c++) cells.add(c == 0 ? s.words().get(k) : c == tagColumn ? s.tags().get(k) : "_");
                    w.write(String.join(tab ? "\t" : " ", cells) + "\n");
                }
                w.write("\n");
            }
        });
    }

    /** The non-blank lines of a JSONL file: one per row, as the reader reads them. */
    private static List<String> jsonLines(Path in) {
        return DatasetReader.withLines(in, r -> {
            List<String> all = new ArrayList<>();
            for (String line; (line = r.readLine()) != null; ) if (!line.isBlank()) all.add(line);
            return all;
        });
    }

    private static void check(Path in, int records, int rows) {
        if (records != rows) throw new IllegalStateException(in + ": " + records + " records but " + rows + " rows were read");
    }

    /** One CSV/TSV record and its line end, fields quoted when they hold the delimiter, a quote or a line break. */
    static String record(List<String> fields, char delimiter) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < fields.size(); i++) {
            if (i > 0) sb.append(delimiter);
            String f = fields.get(i);
            boolean quote = f.indexOf(delimiter) >= 0 || f.indexOf('"') >= 0 || f.indexOf('\n') >= 0 || f.indexOf('\r') >= 0;
            sb.append(quote ? "\"" + f.replace("\"", "\"\"") + "\"" : f);
        }
        return sb.append('\n').toString();
    }

    private interface Body {
        void write(Writer w) throws IOException;
    }

    private static void write(Path out, Body body) throws IOException {
        AtomicFiles.write(out, channel -> {
            OutputStream stream = Channels.newOutputStream(channel);
            if (DataFormat.gzipped(out)) stream = new GZIPOutputStream(stream, 1 << 16);
            Writer w = new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8), 1 << 16);
            body.write(w);
            w.flush();
            if (stream instanceof GZIPOutputStream gz) gz.finish();
            stream.flush();
        });
    }
}
