package dev.kanna.vocab;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Splicing new entries into vocab.txt, tokenizer.json and config.json, and what blocks it. */
class VocabFilesTest {
    @TempDir
    Path tmp;

    private Path dir(String vocabTxt, String tokenizerJson) throws IOException {
        Path d = Files.createDirectories(tmp.resolve("model"));
        if (vocabTxt != null) Files.writeString(d.resolve("vocab.txt"), vocabTxt);
        if (tokenizerJson != null) Files.writeString(d.resolve("tokenizer.json"), tokenizerJson);
        return d;
    }

    private String extended(Path model, String file, List<String> words) throws IOException {
        Path out = Files.createDirectories(tmp.resolve("out"));
        VocabFiles.read(model).writeExtended(words, out);
        return Files.readString(out.resolve(file));
    }

    @Test
    void prettyTokenizerJsonGainsEntriesInItsOwnStyleAndNothingElseChanges() throws IOException {
        String json = "{\n  \"version\": \"1.0\",\n  \"model\": {\n    \"type\": \"WordPiece\",\n    \"vocab\": {\n"
                + "      \"[UNK]\": 0,\n      \"a\": 1,\n      \"##b\": 2\n    },\n    \"unk_token\": \"[UNK]\"\n  },\n"
                + "  \"after\": [1.50, \"\\u00e9\"]\n}\n";
        String out = extended(dir("[UNK]\na\n##b\n", json), "tokenizer.json", List.of("héllo", "ab"));
        assertEquals(json.replace("\"##b\": 2\n", "\"##b\": 2,\n      \"héllo\": 3,\n      \"ab\": 4\n"), out);
    }

    @Test
    void compactJsonAndASingleEntryVocabulary() throws IOException {
        String json = "{\"model\":{\"vocab\":{\"[UNK]\":0},\"type\":\"WordPiece\"}}";
        String out = extended(dir(null, json), "tokenizer.json", List.of("x"));
        assertEquals("{\"model\":{\"vocab\":{\"[UNK]\":0,\"x\":1},\"type\":\"WordPiece\"}}", out);
    }

    @Test
    void vocabTxtKeepsItsLineEndingsAndGetsAFinalOne() throws IOException {
        assertEquals("a\r\nb\r\nnew\r\n", extended(dir("a\r\nb\r\n", null), "vocab.txt", List.of("new")));
        Files.delete(tmp.resolve("out").resolve("vocab.txt"));
        Files.delete(tmp.resolve("model").resolve("vocab.txt"));
        assertEquals("a\nb\nnew\n", extended(dir("a\nb", null), "vocab.txt", List.of("new")));
    }

    @Test
    void configGetsTheNewVocabSizeAndNothingElse() throws IOException {
        Path model = dir("a\nb\n", null);
        Path config = model.resolve("config.json");
        Files.writeString(config, "{\"layer_norm_eps\": 1.0E-12, \"vocab_size\" :2,\"x\":{\"vocab_size\":9}}");
        String out = new String(VocabFiles.read(model).extendedConfig(config, 3), StandardCharsets.UTF_8);
        assertEquals("{\"layer_norm_eps\": 1.0E-12, \"vocab_size\" :5,\"x\":{\"vocab_size\":9}}", out);
    }

    @Test
    void configWhoseVocabSizeDiffersIsRefused() throws IOException {
        Path model = dir("a\nb\n", null);
        Path config = model.resolve("config.json");
        Files.writeString(config, "{\"vocab_size\": 64}");
        var e = assertThrows(VocabularyException.class, () -> VocabFiles.read(model).extendedConfig(config, 1));
        assertEquals(config + ": vocab_size is 64 but the vocabulary in " + model + " has 2 tokens; extend-vocab needs them equal",
                e.getMessage());
    }

    @Test
    void vocabularyFilesThatDisagreeAreRefused() throws IOException {
        Path model = dir("a\nc\n", "{\"model\":{\"vocab\":{\"a\":0,\"b\":1}}}");
        var e = assertThrows(VocabularyException.class, () -> VocabFiles.read(model));
        assertEquals(model + ": id 1 is \"c\" in vocab.txt (line 2) but \"b\" in tokenizer.json", e.getMessage());
    }

    @Test
    void sparseIdsAndRepeatedLinesAreRefused() throws IOException {
        Path sparse = dir(null, "{\"model\":{\"vocab\":{\"a\":0,\"b\":5}}}");
        assertTrue(assertThrows(VocabularyException.class, () -> VocabFiles.read(sparse)).getMessage()
                .contains("tokenizer.json: model.vocab ids are not 0..1 each once"));
        Files.delete(sparse.resolve("tokenizer.json"));
        Files.writeString(sparse.resolve("vocab.txt"), "a\nb\na\n");
        assertEquals(sparse.resolve("vocab.txt") + ":3: repeats the token \"a\" of line 1; extending needs one token per id",
                assertThrows(VocabularyException.class, () -> VocabFiles.read(sparse)).getMessage());
    }

    @Test
    void aDirectoryWithoutVocabularyIsRefused() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertEquals(empty + ": no vocab.txt or tokenizer.json (not a model directory?)",
                assertThrows(VocabularyException.class, () -> VocabFiles.read(empty)).getMessage());
    }
}
