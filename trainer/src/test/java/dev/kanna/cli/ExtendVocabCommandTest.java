package dev.kanna.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** `kanna extend-vocab`: the report, and bad input as one line, exit 1, nothing written. */
class ExtendVocabCommandTest {
    @TempDir
    Path tmp;

    private static Path sample() {
        return TinyFixtures.root().resolve("domain_sample.txt");
    }

    private CliRun extend(Path out, String... extra) {
        List<String> args = new ArrayList<>(List.of("extend-vocab", "--model", TinyFixtures.model().toString(),
                "--out", out.toString()));
        args.addAll(List.of(extra));
        return CliRun.run(args.toArray(String[]::new));
    }

    private void assertOneLineFailure(CliRun run, String expected) throws IOException {
        assertEquals(1, run.exitCode(), run.err());
        assertEquals(List.of("kanna extend-vocab: " + expected), run.errLines());
        assertEquals("", run.out());
        try (Stream<Path> left = Files.list(tmp)) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().startsWith(".out")), "no temporary directory left");
        }
    }

    @Test
    void minedWordsReportedAsATableAndJson() throws IOException {
        Path out = tmp.resolve("out");
        CliRun run = extend(out, "--text", sample().toString(), "--add", "5", "--min-count", "3");
        assertEquals(0, run.exitCode(), run.err());
        JsonNode report = new ObjectMapper().readTree(run.outLines().getLast());
        assertEquals(5, report.get("added").asInt());
        assertEquals(report.get("vocab_size").get("before").asInt() + 5, report.get("vocab_size").get("after").asInt());
        assertEquals(1.0, report.get("pieces_per_word").get("after").asDouble());
        assertTrue(report.get("pieces_per_word").get("before").asDouble() >= 3);
        JsonNode perDocument = report.get("tokens_per_document");
        assertEquals(200, perDocument.get("documents").asInt());
        assertTrue(perDocument.get("after").asDouble() < perDocument.get("before").asDouble());
        JsonNode first = report.get("words").get(0);
        assertTrue(run.err().contains(first.get("word").asText()), run.err());
        assertTrue(run.err().contains("tokens per document (200 documents): "), run.err());
        assertTrue(Files.isRegularFile(out.resolve("model.safetensors")));
        assertTrue(Files.isRegularFile(out.resolve("tokenizer_config.json")));

        CliRun again = extend(out, "--text", sample().toString(), "--add", "5", "--min-count", "3");
        assertOneLineFailure(again, out + " already exists (use --overwrite to replace it)");
        assertEquals(0, extend(out, "--text", sample().toString(), "--add", "2", "--overwrite").exitCode());
    }

    @Test
    void aWordListWithoutTextReportsOnlyTheWords() throws IOException {
        Path words = tmp.resolve("words.txt");
        Files.writeString(words, "cancer\ntumour\n");
        CliRun run = extend(tmp.resolve("out"), "--words", words.toString());
        assertEquals(0, run.exitCode(), run.err());
        JsonNode report = new ObjectMapper().readTree(run.outLines().getLast());
        assertEquals(2, report.get("added").asInt());
        assertNull(report.get("tokens_per_document"));
        assertEquals("cancer", report.get("words").get(0).get("word").asText());
        assertEquals(0, report.get("words").get(0).get("count").asInt());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "cancer\\nCancer\\n|:2: the model's normalizer turns \"Cancer\" into \"cancer\" (write the word as the model sees it)",
            "naïve\\n|:1: the model's normalizer turns \"naïve\" into \"naive\" (write the word as the model sees it)",
            "beta-catenin\\n|:1: \"beta-catenin\" is split by the pre-tokenizer into beta - catenin (whitespace and punctuation end a word): list one word per line",
            "two words\\n|:1: \"two words\" is split by the pre-tokenizer into two words (whitespace and punctuation end a word): list one word per line",
            "cancer \\n|:1: \"cancer \" has whitespace around it (write the word alone)",
            "the\\n|:1: \"the\" is already in the vocabulary (id ",
            "[MASK]\\n|:1: \"[MASK]\" is already in the vocabulary (id 4)",
            "cancer\\ngene\\ncancer\\n|:3: \"cancer\" repeats line 1",
            "cancer\\n\\ngene\\n|:2: empty line (one word per line)",
    })
    void badWordListsNameTheLine(String content, String expected) throws IOException {
        Path words = tmp.resolve("words.txt");
        Files.writeString(words, content.replace("\\n", "\n"));
        CliRun run = extend(tmp.resolve("out"), "--words", words.toString());
        assertEquals(1, run.exitCode(), run.err());
        assertEquals(1, run.errLines().size(), run.err());
        assertTrue(run.errLines().getFirst().startsWith("kanna extend-vocab: " + words + expected), run.err());
        assertFalse(Files.exists(tmp.resolve("out")));
    }

    @Test
    void aWordWordPieceWouldReadAsUnknownIsRefused() throws IOException {
        Path words = tmp.resolve("words.txt");
        String longWord = "a".repeat(101);
        Files.writeString(words, "cancer\n" + longWord + "\n");
        assertOneLineFailure(extend(tmp.resolve("out"), "--words", words.toString()), words + ":2: \"" + longWord
                + "\" has 101 characters; WordPiece reads a word longer than 100 as [UNK] whatever the vocabulary");
    }

    @Test
    void anAddedTokenPastTheVocabularyIsRefused() throws IOException {
        Path model = Files.createDirectories(tmp.resolve("model"));
        for (String name : List.of("config.json", "model.safetensors", "vocab.txt", "tokenizer_config.json")) {
            Files.copy(TinyFixtures.model().resolve(name), model.resolve(name));
        }
        ObjectMapper json = new ObjectMapper();
        var tokenizer = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(TinyFixtures.model().resolve("tokenizer.json").toFile());
        int size = tokenizer.get("model").get("vocab").size();
        tokenizer.withArray("added_tokens").addObject().put("id", size).put("content", "<extra>").put("single_word", false)
                .put("lstrip", false).put("rstrip", false).put("normalized", false).put("special", true);
        json.writeValue(model.resolve("tokenizer.json").toFile(), tokenizer);
        Path words = tmp.resolve("words.txt");
        Files.writeString(words, "cancer\n");
        CliRun run = CliRun.run("extend-vocab", "--model", model.toString(), "--out", tmp.resolve("out").toString(),
                "--words", words.toString());
        assertOneLineFailure(run, model + ": added token \"<extra>\" has id " + size + ", beyond the " + size
                + " vocabulary ids the new words would follow");
    }

    @Test
    void emptyWordListAndEmptyText() throws IOException {
        Path words = tmp.resolve("words.txt");
        Files.writeString(words, "");
        assertOneLineFailure(extend(tmp.resolve("out"), "--words", words.toString()), words + ": no words (the file is empty)");
        Path text = tmp.resolve("text.txt");
        Files.writeString(text, "");
        assertOneLineFailure(extend(tmp.resolve("out"), "--text", text.toString(), "--add", "5"),
                text + ": no documents (the file is empty)");
    }

    @Test
    void badOptionsAndModels() throws IOException {
        Path out = tmp.resolve("out");
        assertOneLineFailure(extend(out, "--text", sample().toString(), "--add", "0"), "--add must be ≥ 1, got 0");
        assertOneLineFailure(extend(out, "--add", "5"), "--add needs the text to mine: --text FILE");
        assertOneLineFailure(extend(out, "--text", sample().toString()), "give --add N (with --text) or --words FILE");
        assertOneLineFailure(extend(out, "--text", sample().toString(), "--add", "5", "--min-pieces", "1"),
                "--min-pieces must be ≥ 2 (a word of one piece is already in the vocabulary), got 1");
        CliRun rare = extend(out, "--text", sample().toString(), "--add", "5", "--min-count", "100000");
        assertEquals(1, rare.exitCode());
        assertEquals("kanna extend-vocab: no word of the text occurs at least 100000 times and splits into at least 3"
                + " pieces; lower --min-count or --min-pieces", rare.errLines().getLast(), "after the count's progress line");
        assertFalse(Files.exists(out));

        Path noVocab = Files.createDirectories(tmp.resolve("model"));
        Files.copy(TinyFixtures.model().resolve("config.json"), noVocab.resolve("config.json"));
        Files.copy(TinyFixtures.model().resolve("model.safetensors"), noVocab.resolve("model.safetensors"));
        CliRun run = CliRun.run("extend-vocab", "--model", noVocab.toString(), "--out", out.toString(),
                "--text", sample().toString(), "--add", "5");
        assertOneLineFailure(run, noVocab + ": no vocab.txt or tokenizer.json (not a model directory?)");

        CliRun into = CliRun.run("extend-vocab", "--model", TinyFixtures.model().toString(), "--out",
                TinyFixtures.model().toString(), "--text", sample().toString(), "--add", "5", "--overwrite");
        assertEquals(1, into.exitCode());
        assertTrue(into.err().contains("refusing to replace"), into.err());
        assertFalse(Files.exists(out));
    }
}
