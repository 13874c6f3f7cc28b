package dev.kanna.vocab;

import dev.kanna.data.DatasetException;
import dev.kanna.data.TextCorpus;
import dev.kanna.tokenizer.BertTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.*;

/** Counting words as the model sees them, choosing the shredded ones, and reading the text. */
class WordCountsTest {
    @TempDir
    Path tmp;

    private static BertTokenizer tiny() throws Exception {
        Path model = Path.of(WordCountsTest.class.getResource("/tiny/model/config.json").toURI()).getParent();
        return BertTokenizer.load(model).withoutTruncation().withoutPadding();
    }

    @Test
    void mostFrequentShreddedWordsFirstTiesByWord() throws Exception {
        Path text = tmp.resolve("t.txt");
        Files.writeString(text, "Zygote, ZYGOTE zygote axolotl\naxolotl Axolotl the the the the\nbanjax banjax banjax quux\n");
        BertTokenizer tokenizer = tiny();
        WordCounts counts = WordCounts.of(tokenizer, List.of(text), null);
        assertEquals(3, counts.documents());
        assertEquals(3, counts.count("zygote"));
        assertEquals(1, counts.count(","));
        WordCounts.Chosen chosen = counts.choose(new WordCounts.Selection(2, 3, 2));
        assertTrue(tokenizer.wordPieces("the").size() < 3, "a common word stays out");
        List<String> words = chosen.words().stream().map(DomainWord::word).toList();
        assertEquals(List.of("axolotl", "banjax"), words, "3 each; axolotl before banjax; zygote is cut");
        assertEquals(3, chosen.qualifying());
        assertEquals(tokenizer.wordPieces("axolotl"), chosen.words().getFirst().pieces());
    }

    @Test
    void jsonlAndGzipAreRead() throws IOException {
        Path jsonl = tmp.resolve("t.jsonl.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(jsonl))) {
            out.write("{\"body\": \"one\"}\n{\"body\": \"two\"}\n".getBytes(StandardCharsets.UTF_8));
        }
        List<String> docs = new ArrayList<>();
        assertEquals(2, TextCorpus.forEach(jsonl, "body", docs::add));
        assertEquals(List.of("one", "two"), docs);
    }

    @Test
    void blankLinesEmptyFilesAndMissingFieldsAreRefused() throws IOException {
        Path blank = tmp.resolve("b.txt");
        Files.writeString(blank, "one\n  \nthree\n");
        assertEquals(blank + ":2: empty line (one document per line; remove blank lines)",
                assertThrows(DatasetException.class, () -> TextCorpus.forEach(blank, null, d -> { })).getMessage());
        Path empty = tmp.resolve("e.txt");
        Files.writeString(empty, "");
        assertEquals(empty + ": no documents (the file is empty)",
                assertThrows(DatasetException.class, () -> TextCorpus.forEach(empty, null, d -> { })).getMessage());
        Path jsonl = tmp.resolve("j.jsonl");
        Files.writeString(jsonl, "{\"text\": \"a\"}\n{\"body\": \"b\"}\n");
        assertEquals(jsonl + ":2: missing field \"text\"",
                assertThrows(DatasetException.class, () -> TextCorpus.forEach(jsonl, null, d -> { })).getMessage());
        assertTrue(assertThrows(DatasetException.class, () -> TextCorpus.forEach(blank, "body", d -> { })).getMessage()
                .startsWith(blank + ": a text field (\"body\") applies to JSONL files only"));
    }
}
