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
        Example e = DatasetReader.read(p, new DatasetReader.Fields("a", "b", "label")).getFirst();
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
}
