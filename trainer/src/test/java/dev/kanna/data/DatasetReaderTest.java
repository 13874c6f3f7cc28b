package dev.kanna.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.*;

class DatasetReaderTest {
    @TempDir
    Path dir;

    private Path write(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, content);
        return p;
    }

    @Test
    void readsJsonlWithStringAndIntegerLabels() throws IOException {
        Path p = write("d.jsonl", "{\"text\":\"hello\",\"label\":\"spam\"}\n\n{\"text\":\"x\",\"label\":1,\"extra\":[1]}\n");
        List<Example> rows = DatasetReader.read(p, DatasetReader.Fields.defaults());
        assertEquals(2, rows.size());
        assertEquals("hello", rows.get(0).text());
        assertEquals("spam", rows.get(0).label());
        assertEquals("1", rows.get(1).label());
        assertEquals(3, rows.get(1).line());
    }

    @Test
    void readsGzippedJsonl() throws IOException {
        Path p = dir.resolve("d.jsonl.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(p))) {
            out.write("{\"text\":\"a\",\"label\":\"x\"}\n".getBytes(StandardCharsets.UTF_8));
        }
        assertEquals("a", DatasetReader.read(p, DatasetReader.Fields.defaults()).getFirst().text());
    }

    @Test
    void readsCsvWithQuotesAndEmbeddedNewlines() throws IOException {
        Path p = write("d.csv", "label,text\nham,\"hello, \"\"world\"\"\nsecond line\"\nspam,plain\n");
        List<Example> rows = DatasetReader.read(p, DatasetReader.Fields.defaults());
        assertEquals(2, rows.size());
        assertEquals("hello, \"world\"\nsecond line", rows.get(0).text());
        assertEquals(4, rows.get(1).line());
    }

    @Test
    void readsTsvWithPairField() throws IOException {
        Path p = write("d.tsv", "a\tb\tlabel\nfirst\tsecond\tyes\n");
        Example e = DatasetReader.read(p, new DatasetReader.Fields("a", "b", "label", null)).getFirst();
        assertEquals("first", e.text());
        assertEquals("second", e.textPair());
    }

    @Test
    void missingFieldNamesFileAndLine() throws IOException {
        Path p = write("d.jsonl", "{\"text\":\"a\",\"label\":\"x\"}\n{\"text\":\"b\"}\n");
        DatasetException e = assertThrows(DatasetException.class,
                () -> DatasetReader.read(p, DatasetReader.Fields.defaults()));
        assertEquals(p + ":2: missing field \"label\"", e.getMessage());
    }

    @Test
    void invalidUtf8NamesTheLine() throws IOException {
        Path p = dir.resolve("d.jsonl");
        byte[] good = "{\"text\":\"a\",\"label\":\"x\"}\n".getBytes(StandardCharsets.UTF_8);
        byte[] bad = {'{', '"', 't', 'e', 'x', 't', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}', '\n'};
        try (OutputStream out = Files.newOutputStream(p)) {
            out.write(good);
            out.write(bad);
        }
        DatasetException e = assertThrows(DatasetException.class,
                () -> DatasetReader.read(p, DatasetReader.Fields.defaults()));
        assertEquals(p + ":2: invalid UTF-8 (byte 0xC3 at byte 10 of the line)", e.getMessage());
    }

    @Test
    void byteOrderMarkAtTheStartIsDropped() throws IOException {
        Path jsonl = write("bom.jsonl", "\uFEFF{\"text\":\"a\",\"label\":\"x\"}\n{\"text\":\"\uFEFFb\",\"label\":\"y\"}\n");
        List<Example> rows = DatasetReader.read(jsonl, DatasetReader.Fields.defaults());
        assertEquals("a", rows.get(0).text());
        assertEquals("\uFEFFb", rows.get(1).text(), "only a mark that starts the file is dropped");

        Path csv = write("bom.csv", "\uFEFFtext,label\nhello,x\n");
        assertEquals("hello", DatasetReader.read(csv, DatasetReader.Fields.defaults()).getFirst().text());
    }

    @Test
    void gzipIsRecognizedInAnyCase() throws IOException {
        Path p = dir.resolve("d.jsonl.GZ");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(p))) {
            out.write("{\"text\":\"zipped\",\"label\":\"x\"}\n".getBytes(StandardCharsets.UTF_8));
        }
        assertEquals("zipped", DatasetReader.read(p, DatasetReader.Fields.defaults()).getFirst().text());
    }

    @Test
    void aGzNameOnAFileThatIsNotGzipIsOneError() throws IOException {
        Path p = write("d.jsonl.gz", "{\"text\":\"plain\",\"label\":\"x\"}\n");
        DatasetException e = assertThrows(DatasetException.class,
                () -> DatasetReader.read(p, DatasetReader.Fields.defaults()));
        assertEquals(p + ": cannot read: Not in GZIP format", e.getMessage());
    }

    @Test
    void emptyFileIsAnError() throws IOException {
        Path p = write("d.jsonl", "");
        DatasetException e = assertThrows(DatasetException.class,
                () -> DatasetReader.read(p, DatasetReader.Fields.defaults()));
        assertTrue(e.getMessage().contains("no rows"), e.getMessage());
    }

    @Test
    void csvHeaderWithoutTheColumnIsAnError() throws IOException {
        Path p = write("d.csv", "body,label\nx,y\n");
        DatasetException e = assertThrows(DatasetException.class,
                () -> DatasetReader.read(p, DatasetReader.Fields.defaults()));
        assertTrue(e.getMessage().startsWith(p + ":1: the header has no column \"text\""), e.getMessage());
    }

    @Test
    void unknownFormatIsAnError() {
        assertThrows(DatasetException.class, () -> DataFormat.of(Path.of("data.parquet")));
    }

    @Test
    void labelMapIsSortedAndRejectsUnseenLabels() {
        List<Example> train = List.of(Example.of("a", null, "spam", 1), Example.of("b", null, "ham", 2),
                Example.of("c", null, "spam", 3));
        LabelMap map = LabelMap.fromTraining(train);
        assertEquals(List.of("ham", "spam"), map.labels());
        Path file = Path.of("eval.jsonl");
        DatasetException e = assertThrows(DatasetException.class,
                () -> map.id(Example.of("d", null, "phish", 7), file));
        assertTrue(e.getMessage().startsWith("eval.jsonl:7: label \"phish\" was never seen in training"));
    }

    @Test
    void integerLabelsSortNumerically() {
        List<Example> train = List.of(Example.of("a", null, "10", 1), Example.of("b", null, "2", 2));
        assertEquals(List.of("2", "10"), LabelMap.fromTraining(train).labels());
    }

    // ---- label shapes: multi-label (LIST) and regression (NUMBER)

    private static DatasetReader.Fields separatedBy(String separator) {
        return new DatasetReader.Fields("text", null, "label", separator);
    }

    private void assertError(String expected, Path p, DatasetReader.Fields fields, LabelShape shape) {
        DatasetException e = assertThrows(DatasetException.class, () -> DatasetReader.read(p, fields, shape));
        assertEquals(p + expected, e.getMessage());
    }

    @Test
    void singleShapeIsTheTwoArgumentRead() throws IOException {
        Path p = write("d.jsonl", "{\"text\":\"a\",\"label\":\" spam \"}\n{\"text\":\"b\",\"label\":true}\n");
        List<Example> plain = DatasetReader.read(p, DatasetReader.Fields.defaults());
        assertEquals(plain, DatasetReader.read(p, DatasetReader.Fields.defaults(), LabelShape.SINGLE));
        assertEquals(List.of(" spam "), plain.get(0).labels());
        assertEquals("true", plain.get(1).label());
        Path csv = write("d.csv", "text,label\nx,\n");
        assertError(":2: empty field \"label\"", csv, DatasetReader.Fields.defaults(), LabelShape.SINGLE);
    }

    @Test
    void listLabelsFromJsonArraysAndSeparatedStrings() throws IOException {
        Path p = write("d.jsonl", String.join("\n",
                "{\"text\":\"a\",\"label\":[\"sports\",\"politics\"]}",
                "{\"text\":\"b\",\"label\":[]}",
                "{\"text\":\"c\",\"label\":[3, 1]}",
                "{\"text\":\"d\",\"label\":\"sports; tech ;;\"}",
                "{\"text\":\"e\",\"label\":\"\"}",
                "{\"text\":\"f\",\"label\":7}") + "\n");
        List<Example> rows = DatasetReader.read(p, separatedBy(";"), LabelShape.LIST);
        assertEquals(List.of("sports", "politics"), rows.get(0).labels());
        assertEquals(List.of(), rows.get(1).labels());
        assertEquals(List.of("3", "1"), rows.get(2).labels());
        assertEquals(List.of("sports", "tech"), rows.get(3).labels());
        assertEquals(List.of(), rows.get(4).labels());
        assertEquals(List.of("7"), rows.get(5).labels());

        List<Example> whole = DatasetReader.read(p, DatasetReader.Fields.defaults(), LabelShape.LIST);
        assertEquals(List.of("sports; tech ;;"), whole.get(3).labels(), "without a separator a string is one label");
    }

    @Test
    void listLabelsFromCsvAndTsvCells() throws IOException {
        Path csv = write("d.csv", "text,label\nx,\"a|b\"\ny,\nz,c\n");
        List<Example> rows = DatasetReader.read(csv, separatedBy("|"), LabelShape.LIST);
        assertEquals(List.of("a", "b"), rows.get(0).labels());
        assertEquals(List.of(), rows.get(1).labels(), "an empty cell is an empty label set");
        assertEquals(List.of("c"), rows.get(2).labels());
        Path tsv = write("d.tsv", "text\tlabel\nx\ta, b\n");
        assertEquals(List.of("a, b"), DatasetReader.read(tsv, DatasetReader.Fields.defaults(), LabelShape.LIST)
                .getFirst().labels());
        assertEquals(List.of("a", "b"), DatasetReader.read(tsv, separatedBy(","), LabelShape.LIST)
                .getFirst().labels());
    }

    @Test
    void listLabelErrors() throws IOException {
        String ok = "{\"text\":\"a\",\"label\":[\"x\"]}\n";
        assertError(":2: label \"x\" appears twice in the row",
                write("a.jsonl", ok + "{\"text\":\"a\",\"label\":[\"x\",\"y\",\"x\"]}\n"),
                separatedBy(","), LabelShape.LIST);
        assertError(":1: label \"x\" appears twice in the row",
                write("b.jsonl", "{\"text\":\"a\",\"label\":\"x, x\"}\n"), separatedBy(","), LabelShape.LIST);
        assertError(":3: label \"b\" appears twice in the row",
                write("c.csv", "text,label\nq,a\nr,b;b\n"), separatedBy(";"), LabelShape.LIST);
        assertError(":1: label[1] must be a label (a non-empty string or an integer), got object",
                write("d.jsonl", "{\"text\":\"a\",\"label\":[\"x\",{}]}\n"), separatedBy(","), LabelShape.LIST);
        assertError(":1: label[0] must be a label (a non-empty string or an integer), got \" \"",
                write("e.jsonl", "{\"text\":\"a\",\"label\":[\" \"]}\n"), separatedBy(","), LabelShape.LIST);
        assertError(":1: field \"label\" must be an array of labels or a string, got object",
                write("f.jsonl", "{\"text\":\"a\",\"label\":{}}\n"), separatedBy(","), LabelShape.LIST);
        assertError(":1: missing field \"label\"",
                write("g.jsonl", "{\"text\":\"a\",\"label\":null}\n"), separatedBy(","), LabelShape.LIST);
        assertThrows(IllegalArgumentException.class, () -> separatedBy(""));
    }

    @Test
    void numberLabelsKeepTheirText() throws IOException {
        Path p = write("d.jsonl", String.join("\n",
                "{\"text\":\"a\",\"label\":3.25}",
                "{\"text\":\"b\",\"label\":-2}",
                "{\"text\":\"c\",\"label\":\" 1e-3 \"}",
                "{\"text\":\"d\",\"label\":\".5\"}") + "\n");
        List<Example> rows = DatasetReader.read(p, DatasetReader.Fields.defaults(), LabelShape.NUMBER);
        assertEquals(List.of("3.25", "-2", "1e-3", ".5"), rows.stream().map(Example::label).toList());
        Path csv = write("d.csv", "text,label\nx,4.0\ny, -0.5\n");
        assertEquals(List.of("4.0", "-0.5"), DatasetReader.read(csv, DatasetReader.Fields.defaults(), LabelShape.NUMBER)
                .stream().map(Example::label).toList());
    }

    @Test
    void numberLabelErrors() throws IOException {
        DatasetReader.Fields f = DatasetReader.Fields.defaults();
        assertError(":2: label \"abc\" is not a number",
                write("a.csv", "text,label\nx,abc\n"), f, LabelShape.NUMBER);
        assertError(":2: label \"NaN\" is not a finite number",
                write("b.tsv", "text\tlabel\nx\tNaN\n"), f, LabelShape.NUMBER);
        assertError(":1: label \"-Infinity\" is not a finite number",
                write("c.jsonl", "{\"text\":\"a\",\"label\":\"-Infinity\"}\n"), f, LabelShape.NUMBER);
        assertError(":1: label \"1e400\" is not a finite number",
                write("d.jsonl", "{\"text\":\"a\",\"label\":\"1e400\"}\n"), f, LabelShape.NUMBER);
        assertError(":1: label \"Infinity\" is not a finite number",
                write("e.jsonl", "{\"text\":\"a\",\"label\":1e400}\n"), f, LabelShape.NUMBER);
        assertError(":1: label \"0x1p3\" is not a number",
                write("f.jsonl", "{\"text\":\"a\",\"label\":\"0x1p3\"}\n"), f, LabelShape.NUMBER);
        assertError(":1: field \"label\" must be a number (or a string holding one), got boolean",
                write("g.jsonl", "{\"text\":\"a\",\"label\":true}\n"), f, LabelShape.NUMBER);
        assertError(":2: empty field \"label\"",
                write("h.csv", "text,label\nx,\n"), f, LabelShape.NUMBER);
    }

    @Test
    void conllNamesAreNotLabelledTexts() throws IOException {
        Path p = write("d.conll", "a O\n");
        DatasetException e = assertThrows(DatasetException.class,
                () -> DatasetReader.read(p, DatasetReader.Fields.defaults()));
        assertTrue(e.getMessage().startsWith(p + ": a CoNLL file holds tagged tokens"), e.getMessage());
    }

    @Test
    void labelMapOverMultiLabelRows() {
        List<Example> train = List.of(new Example("a", null, List.of("tech", "sports"), 1),
                new Example("b", null, List.of(), 2), new Example("c", null, List.of("politics"), 3));
        LabelMap map = LabelMap.fromTraining(train);
        assertEquals(List.of("politics", "sports", "tech"), map.labels());
        Path file = Path.of("eval.jsonl");
        assertArrayEquals(new float[]{0, 1, 1}, map.multiHot(train.get(0), file));
        assertArrayEquals(new float[]{0, 0, 0}, map.multiHot(train.get(1), file));
        DatasetException e = assertThrows(DatasetException.class,
                () -> map.multiHot(new Example("d", null, List.of("sports", "art"), 9), file));
        assertEquals("eval.jsonl:9: label \"art\" was never seen in training (known labels: politics, sports, tech)",
                e.getMessage());
    }
}
