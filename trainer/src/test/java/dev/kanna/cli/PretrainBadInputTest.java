package dev.kanna.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Bad input to `kanna pretrain`: one line naming the problem (and the file and line where there is
 * one), exit 1, nothing written.
 */
class PretrainBadInputTest {
    @TempDir
    Path tmp;

    private static void assertOneLineFailure(CliRun run, String expected) {
        assertOneLineFailure(run, "pretrain", expected);
    }

    private static void assertOneLineFailure(CliRun run, String command, String expected) {
        assertEquals(1, run.exitCode(), run.err());
        assertEquals(List.of("kanna " + command + ": " + expected), run.errLines(), "one line: " + run.err());
    }

    private CliRun pretrain(Path out, String... extra) {
        return CliRun.run(PretrainCommandTest.pretrainArgs(out, extra));
    }

    @Test
    void emptyTextFiles() throws IOException {
        Path empty = Files.writeString(tmp.resolve("empty.txt"), ""), out = tmp.resolve("out");
        assertOneLineFailure(pretrain(out, "--text", empty.toString()), empty + ": no documents (the file is empty)");
        Path emptyJsonl = Files.writeString(tmp.resolve("empty.jsonl"), "");
        assertOneLineFailure(pretrain(out, "--validation-text", emptyJsonl.toString()),
                emptyJsonl + ": no documents (the file is empty)");
        assertFalse(Files.exists(out));
    }

    @Test
    void emptyLinesAreNamedByFileAndLine() throws IOException {
        Path blank = Files.writeString(tmp.resolve("blank.txt"), "BRCA1 mutations cause breast cancer.\n \nHemochromatosis.\n");
        Path out = tmp.resolve("out");
        assertOneLineFailure(pretrain(out, "--text", blank.toString()), blank + ":2: empty line (one document per line; remove blank lines)");
        // The second of two files, and a validation file, are named as such.
        Path train = PretrainCommandTest.text("train.txt");
        assertOneLineFailure(pretrain(out, "--text", train.toString(), "--text", blank.toString()),
                blank + ":2: empty line (one document per line; remove blank lines)");
        assertOneLineFailure(pretrain(out, "--validation-text", blank.toString()),
                blank + ":2: empty line (one document per line; remove blank lines)");

        Path jsonl = Files.writeString(tmp.resolve("rows.jsonl"), "{\"text\":\"BRCA1\"}\n{\"text\":\"\"}\n{\"body\":\"x\"}\n");
        assertOneLineFailure(pretrain(out, "--text", jsonl.toString()), jsonl + ":2: field \"text\" is empty");
        Files.writeString(jsonl, "{\"text\":\"BRCA1\"}\n{\"body\":\"x\"}\n");
        assertOneLineFailure(pretrain(out, "--text", jsonl.toString()),
                jsonl + ":2: missing field \"text\"");
        assertOneLineFailure(pretrain(out, "--text", jsonl.toString(), "--text-field", "body"),
                jsonl + ":1: missing field \"body\"");
        assertFalse(Files.exists(out));
    }

    @Test
    void textShorterThanOneBlock() throws IOException {
        Path shortText = Files.writeString(tmp.resolve("short.txt"), "Short text.\nAnother.\n"), out = tmp.resolve("out");
        assertOneLineFailure(pretrain(out, "--text", shortText.toString()),
                shortText + ": the text has 18 tokens, fewer than one block of 64");
        assertOneLineFailure(pretrain(out, "--validation-text", shortText.toString()),
                shortText + ": the text has 18 tokens, fewer than one block of 64");
        // One line per sequence needs no block: the same text pretrains with --packing lines.
        assertFalse(Files.exists(out));
    }

    @Test
    void mlmProbabilityOutsideZeroToOne() {
        Path out = tmp.resolve("out");
        for (String p : List.of("0", "1", "1.5", "-0.1", "NaN")) {
            assertOneLineFailure(pretrain(out, "--mlm-probability", p),
                    "--mlm-probability must be in (0, 1), got " + Double.parseDouble(p));
        }
        assertFalse(Files.exists(out));
    }

    @Test
    void modelWhoseVocabularyLacksMask() throws IOException {
        Path model = Files.createDirectories(tmp.resolve("no-mask"));
        try (var files = Files.list(TinyFixtures.model())) {
            for (Path f : files.toList()) Files.copy(f, model.resolve(f.getFileName()));
        }
        for (String f : List.of("vocab.txt", "tokenizer.json", "tokenizer_config.json")) {
            Path file = model.resolve(f);
            String before = Files.readString(file), after = before.replace("[MASK]", "[MASQUE]");
            assertNotEquals(before, after, f);
            Files.writeString(file, after);
        }
        Path out = tmp.resolve("out");
        assertOneLineFailure(pretrain(out, "--model", model.toString()),
                "the model's vocabulary has no [MASK] token, which masked-LM pretraining needs");
        assertFalse(Files.exists(out));
    }

    @Test
    void unknownPacking() {
        Path out = tmp.resolve("out");
        assertOneLineFailure(pretrain(out, "--packing", "other"), "--packing: expected blocks or lines, got 'other'");
        assertFalse(Files.exists(out));
    }

    @Test
    void outDirectoryThatExists() throws IOException {
        Path out = Files.createDirectories(tmp.resolve("out"));
        Files.writeString(out.resolve("keep.txt"), "mine");
        assertOneLineFailure(pretrain(out), out + " already exists (use --overwrite to replace it, or --resume to"
                + " continue the run it holds)");
        assertEquals(List.of(out.resolve("keep.txt")), Files.list(out).toList());
        assertEquals("mine", Files.readString(out.resolve("keep.txt")));
    }

    @Test
    void resumeWithOtherMaskingThanTheCheckpoint() throws IOException {
        // Other masks are another run: --resume must not mix them.
        Path out = tmp.resolve("out");
        CliRun first = pretrain(out, "--max-steps", "2", "--save-steps", "2");
        assertEquals(0, first.exitCode(), first.err());
        List<String> before;
        try (var s = Files.list(out)) {
            before = s.map(Path::toString).sorted().toList();
        }
        CliRun resumed = pretrain(out, "--max-steps", "2", "--save-steps", "2", "--mlm-probability", "0.3", "--resume");
        assertEquals(1, resumed.exitCode(), resumed.err());
        assertEquals(1, resumed.errLines().size(), resumed.err());
        assertTrue(resumed.errLines().getFirst().startsWith("kanna pretrain: --resume: " + out.resolve("checkpoint-2")
                + " was made with other settings ("), resumed.err());
        assertTrue(resumed.errLines().getFirst().contains("0.3"), resumed.err());
        try (var s = Files.list(out)) {
            assertEquals(before, s.map(Path::toString).sorted().toList(), "nothing written or removed");
        }
    }

    @Test
    void predictAndEvaluateOnAMaskedLmModel() throws IOException {
        Path model = TinyFixtures.root().resolve("trained-mlm");
        assertOneLineFailure(CliRun.withInput("BRCA1\n", "predict", "--model", model.toString(), "--device", "cpu"),
                "predict", "a masked-LM model predicts no labels: fine-tune it with `kanna train --model`");
        // evaluate measures its perplexity on text, cut into blocks as pretrain does (--max-length 128 here).
        Path shortText = Files.writeString(tmp.resolve("short.txt"), "BRCA1 mutations.\n");
        assertOneLineFailure(CliRun.run("evaluate", "--model", model.toString(), "--data", shortText.toString(),
                "--device", "cpu"), "evaluate", shortText + ": the text has 13 tokens, fewer than one block of 128");
    }
}
