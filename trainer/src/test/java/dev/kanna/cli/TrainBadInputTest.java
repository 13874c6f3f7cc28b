package dev.kanna.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Bad input to `kanna train`: one line naming the problem, exit 1, nothing written. */
class TrainBadInputTest {
    @TempDir
    Path tmp;

    private CliRun train(Path trainFile, Path validation, Path out, String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("train", "--model", TinyFixtures.model().toString(),
                "--train", trainFile.toString(), "--out", out.toString(), "--device", "cpu", "--max-length", "64"));
        if (validation != null) args.addAll(List.of("--validation", validation.toString()));
        args.addAll(List.of(extra));
        return CliRun.run(args.toArray(String[]::new));
    }

    private static void assertOneLineFailure(CliRun run, String expectedStart) {
        assertEquals(1, run.exitCode(), run.err());
        assertEquals(1, run.errLines().size(), "one line: " + run.err());
        assertTrue(run.errLines().getFirst().startsWith("kanna train: " + expectedStart), run.err());
    }

    @Test
    void rowWithoutTheTextField() throws IOException {
        Path data = tmp.resolve("d.jsonl");
        Files.writeString(data, "{\"text\":\"a\",\"label\":\"x\"}\n{\"body\":\"b\",\"label\":\"y\"}\n");
        Path out = tmp.resolve("out");
        assertOneLineFailure(train(data, null, out), data + ":2: missing field \"text\"");
        assertFalse(Files.exists(out));
    }

    @Test
    void validationLabelNeverSeenInTraining() throws IOException {
        Path validation = tmp.resolve("v.jsonl");
        Files.writeString(validation, "{\"text\":\"a\",\"label\":\"ham\"}\n{\"text\":\"b\",\"label\":\"phishing\"}\n");
        Path out = tmp.resolve("out");
        assertOneLineFailure(train(TinyFixtures.train(), validation, out),
                validation + ":2: label \"phishing\" was never seen in training");
        assertFalse(Files.exists(out));
    }

    @Test
    void emptyTrainingFile() throws IOException {
        Path data = tmp.resolve("empty.jsonl");
        Files.writeString(data, "");
        assertOneLineFailure(train(data, null, tmp.resolve("out")), data + ": no rows");
    }

    @Test
    void invalidUtf8() throws IOException {
        Path data = tmp.resolve("bad.jsonl");
        Files.write(data, new byte[]{'{', '"', 't', 'e', 'x', 't', '"', ':', '"', (byte) 0xFF, '"', ',', '"', 'l', 'a',
                'b', 'e', 'l', '"', ':', '"', 'x', '"', '}', '\n'});
        assertOneLineFailure(train(data, null, tmp.resolve("out")), data + ":1: invalid UTF-8");
    }

    @Test
    void maxLengthBeyondTheModelsPositions() {
        CliRun run = CliRun.run("train", "--model", TinyFixtures.model().toString(), "--train",
                TinyFixtures.train().toString(), "--out", tmp.resolve("out").toString(), "--max-length", "129",
                "--device", "cpu");
        assertOneLineFailure(run, "--max-length 129 exceeds the model's max_position_embeddings (128)");
        assertFalse(Files.exists(tmp.resolve("out")));
    }

    @Test
    void existingOutputDirectoryIsRefusedAndLeftAlone() throws IOException {
        Path out = tmp.resolve("out");
        Files.createDirectories(out);
        Files.writeString(out.resolve("keep.txt"), "mine");
        assertOneLineFailure(train(TinyFixtures.train(), null, out), out + " already exists (use --overwrite");
        assertEquals("mine", Files.readString(out.resolve("keep.txt")));
    }

    @Test
    void modelDirectoryWithoutATokenizer() throws IOException {
        Path model = tmp.resolve("model");
        Files.createDirectories(model);
        Files.copy(TinyFixtures.model().resolve("config.json"), model.resolve("config.json"));
        Files.copy(TinyFixtures.model().resolve("model.safetensors"), model.resolve("model.safetensors"));
        CliRun run = CliRun.run("train", "--model", model.toString(), "--train", TinyFixtures.train().toString(),
                "--out", tmp.resolve("out").toString(), "--device", "cpu");
        assertOneLineFailure(run, model + ": the model directory has no tokenizer");
    }

    @Test
    void resumeWithoutACheckpoint() throws IOException {
        Path out = tmp.resolve("out");
        Files.createDirectories(out);
        assertOneLineFailure(train(TinyFixtures.train(), null, out, "--resume"), "--resume: no complete checkpoint in " + out);
    }

    @Test
    void badUnfreezePatternIsOneLineAndLeavesAnOverwrittenOutAlone() throws IOException {
        Path out = tmp.resolve("out");
        Files.createDirectories(out);
        Files.writeString(out.resolve("keep.txt"), "mine");
        assertOneLineFailure(train(TinyFixtures.train(), null, out, "--overwrite", "--unfreeze-pattern", "layer.(1"),
                "--unfreeze-pattern: Unclosed group at index 8");
        assertEquals("mine", Files.readString(out.resolve("keep.txt")));
    }

    @ParameterizedTest
    @CsvSource({
            "--eval-batch-size, 0, 1",
            "--eval-steps, -1, 0",
            "--save-steps, -5, 0",
            "--save-total-limit, -1, 0",
            "--early-stopping, -2, 0",
            "--limit-train, -1, 0",
            "--warmup-steps, -2, -1",
            "--max-steps, -1, 0",
            "--unfreeze-top, -1, 0",
    })
    void numericOptionsOutOfRangeAreRefusedUpFront(String option, String value, String min) throws IOException {
        Path out = tmp.resolve("out");
        Files.createDirectories(out);
        Files.writeString(out.resolve("keep.txt"), "mine");
        assertOneLineFailure(train(TinyFixtures.train(), null, out, "--overwrite", option, value),
                option + " must be ≥ " + min + ", got " + value);
        assertEquals("mine", Files.readString(out.resolve("keep.txt")));
    }

    @ParameterizedTest
    @CsvSource({"evaluate, 0", "predict, -3"})
    void evaluateAndPredictRefuseAMaxLengthBelowOne(String command, String value) {
        List<String> args = new java.util.ArrayList<>(List.of(command, "--model", TinyFixtures.model().toString(),
                "--device", "cpu", "--max-length", value));
        if (command.equals("evaluate")) args.addAll(List.of("--data", TinyFixtures.train().toString()));
        CliRun run = CliRun.withInput("some text\n", args.toArray(String[]::new));
        assertEquals(1, run.exitCode(), run.err());
        assertEquals("kanna " + command + ": --max-length must be ≥ 1, got " + value, run.err().strip());
    }

    private Path copyModel(Path to) throws IOException {
        Files.createDirectories(to);
        try (var files = Files.list(TinyFixtures.model())) {
            for (Path f : files.toList()) Files.copy(f, to.resolve(f.getFileName()));
        }
        return to;
    }

    private static CliRun trainWith(Path model, Path trainFile, Path out) {
        return CliRun.run("train", "--model", model.toString(), "--train", trainFile.toString(), "--out", out.toString(),
                "--device", "cpu", "--max-length", "64", "--overwrite");
    }

    @Test
    void overwriteRefusesToDeleteTheModelOrTheData() throws IOException {
        Path out = tmp.resolve("out");
        Path model = copyModel(out.resolve("model"));
        assertOneLineFailure(trainWith(model, TinyFixtures.train(), out),
                "--overwrite: refusing to delete " + out + ", which holds the model directory " + model + ";");
        assertTrue(Files.isRegularFile(model.resolve("model.safetensors")));

        Path data = Files.copy(TinyFixtures.train(), Files.createDirectories(tmp.resolve("out2")).resolve("train.jsonl"));
        assertOneLineFailure(trainWith(TinyFixtures.model(), data, tmp.resolve("out2")),
                "--overwrite: refusing to delete " + tmp.resolve("out2") + ", which holds the training data " + data + ";");
        assertTrue(Files.isRegularFile(data));

        Path other = copyModel(tmp.resolve("model"));
        Path inside = Files.createDirectories(other.resolve("run"));
        Files.writeString(inside.resolve("keep.txt"), "mine");
        assertOneLineFailure(trainWith(other, TinyFixtures.train(), inside),
                "--overwrite: refusing to delete " + inside + ", which lies inside the model directory " + other + ";");
        assertTrue(Files.isRegularFile(inside.resolve("keep.txt")));
    }

    @Test
    void overwriteRefusesToDeleteTheKannaFolder() throws IOException {
        Path home = Files.createDirectories(tmp.resolve("home"));
        Files.writeString(home.resolve("keep.txt"), "mine");
        String saved = System.getProperty("kanna.home");
        System.setProperty("kanna.home", home.toString());
        try {
            assertOneLineFailure(trainWith(TinyFixtures.model(), TinyFixtures.train(), home),
                    "--overwrite: refusing to delete " + home + ", which holds the Kanna folder " + home + ";");
        } finally {
            if (saved == null) System.clearProperty("kanna.home");
            else System.setProperty("kanna.home", saved);
        }
        assertTrue(Files.isRegularFile(home.resolve("keep.txt")));
    }
}
