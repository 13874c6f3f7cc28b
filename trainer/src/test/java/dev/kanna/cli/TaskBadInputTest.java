package dev.kanna.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Bad input to `kanna train --task` (token classification, multi-label, regression) and to evaluate
 * on a task's model: one line naming the problem, exit 1, nothing written.
 */
class TaskBadInputTest {
    private static final String KNOWN_TAGS = "(known tags: B-Disease, B-Gene, I-Disease, I-Gene, O)";

    @TempDir
    Path tmp;

    private static Path data(String path) {
        return TinyFixtures.root().resolve(path);
    }

    private CliRun train(String task, Path trainFile, Path validation, Path out, String... extra) {
        List<String> args = new ArrayList<>(List.of("train", "--task", task, "--model", TinyFixtures.model().toString(),
                "--train", trainFile.toString(), "--out", out.toString(), "--device", "cpu", "--max-length", "64"));
        if (validation != null) args.addAll(List.of("--validation", validation.toString()));
        args.addAll(List.of(extra));
        return CliRun.run(args.toArray(String[]::new));
    }

    private CliRun ner(Path trainFile, Path validation, Path out, String... extra) {
        return train("token-classification", trainFile, validation, out, extra);
    }

    private static void assertOneLineFailure(CliRun run, String expectedStart) {
        assertOneLineFailure(run, "train", expectedStart);
    }

    private static void assertOneLineFailure(CliRun run, String command, String expectedStart) {
        assertEquals(1, run.exitCode(), run.err());
        assertEquals(1, run.errLines().size(), "one line: " + run.err());
        assertTrue(run.errLines().getFirst().startsWith("kanna " + command + ": " + expectedStart), run.err());
    }

    /** The validation CoNLL file with one tag replaced: the word on line `line` gets `tag`. */
    private Path validationWithTag(int line, String tag) throws IOException {
        List<String> lines = new ArrayList<>(Files.readAllLines(data("ner/validation.conll")));
        String word = lines.get(line - 1).split("\t")[0];
        lines.set(line - 1, word + "\t" + tag);
        Path file = tmp.resolve("validation.conll");
        Files.write(file, lines);
        return file;
    }

    @Test
    void sentenceWithMoreTokensThanTags() throws IOException {
        Path data = tmp.resolve("train.jsonl");
        Files.writeString(data, "{\"tokens\":[\"BRCA1\",\"mutations\"],\"tags\":[\"B-Gene\",\"O\"]}\n"
                + "{\"tokens\":[\"Breast\",\"cancer\",\".\"],\"tags\":[\"B-Disease\",\"I-Disease\"]}\n");
        Path out = tmp.resolve("out");
        assertOneLineFailure(ner(data, null, out), data + ":2: 3 tokens but 2 tags");
        assertFalse(Files.exists(out));
    }

    @Test
    void insideTagOfATypeTrainingNeverHad() throws IOException {
        Path validation = validationWithTag(3, "I-Chemical");
        Path out = tmp.resolve("out");
        assertOneLineFailure(ner(data("ner/train.conll"), validation, out),
                validation + ":3: tag \"I-Chemical\" was never seen in training " + KNOWN_TAGS);
        assertFalse(Files.exists(out));
    }

    @Test
    void validationTagNeverSeenInTraining() throws IOException {
        // A known type under a scheme the training data does not use (IOBES's E-).
        Path validation = validationWithTag(5, "E-Disease");
        Path out = tmp.resolve("out");
        assertOneLineFailure(ner(data("ner/train.conll"), validation, out),
                validation + ":5: tag \"E-Disease\" was never seen in training " + KNOWN_TAGS);
        assertFalse(Files.exists(out));
    }

    @Test
    void trainingTagThatIsNotPrefixAndType() throws IOException {
        Path data = tmp.resolve("train.conll");
        Files.writeString(data, "BRCA1\tB-Gene\nmutations\tO\n\nBreast\tDisease\ncancer\tI-Disease\n");
        Path out = tmp.resolve("out");
        assertOneLineFailure(ner(data, null, out),
                data + ":4: tag \"Disease\" is not O or PREFIX-TYPE (PREFIX one of B, I, E, S, L, U)");
        assertFalse(Files.exists(out));
    }

    @Test
    void emptySentence() throws IOException {
        Path data = tmp.resolve("train.jsonl");
        Files.writeString(data, "{\"tokens\":[\"BRCA1\"],\"tags\":[\"B-Gene\"]}\n{\"tokens\":[],\"tags\":[]}\n");
        Path out = tmp.resolve("out");
        assertOneLineFailure(ner(data, null, out), data + ":2: empty sentence (no tokens)");
        assertFalse(Files.exists(out));
    }

    @Test
    void emptyFiles() throws IOException {
        Path empty = tmp.resolve("empty.conll"), blank = tmp.resolve("blank.conll"), jsonl = tmp.resolve("empty.jsonl");
        Files.writeString(empty, "");
        Files.writeString(blank, "\n\n-DOCSTART-\tO\n\n");
        Files.writeString(jsonl, "");
        Path out = tmp.resolve("out");
        assertOneLineFailure(ner(empty, null, out), empty + ": no sentences (the file is empty)");
        assertOneLineFailure(ner(blank, null, out), blank + ": no sentences");
        assertOneLineFailure(ner(data("ner/train.conll"), jsonl, out), jsonl + ": no sentences (the file is empty)");
        assertFalse(Files.exists(out));
    }

    @Test
    void multiLabelValidationRowWithAnUnknownLabel() throws IOException {
        Path validation = tmp.resolve("v.jsonl");
        Files.writeString(validation, "{\"text\":\"a\",\"label\":[\"spam\"]}\n{\"text\":\"b\",\"label\":[]}\n"
                + "{\"text\":\"c\",\"label\":[\"reply\",\"urgent\"]}\n");
        Path out = tmp.resolve("out");
        assertOneLineFailure(train("multi-label", data("multilabel/train.jsonl"), validation, out),
                validation + ":3: label \"urgent\" was never seen in training (known labels: money, reply, spam)");
        assertFalse(Files.exists(out));
    }

    @Test
    void nonNumericRegressionLabel() throws IOException {
        Path data = tmp.resolve("train.jsonl");
        Files.writeString(data, "{\"text\":\"a\",\"label\":1.5}\n{\"text\":\"b\",\"label\":\"high\"}\n");
        Path out = tmp.resolve("out");
        assertOneLineFailure(train("regression", data, null, out), data + ":2: label \"high\" is not a number");
        Files.writeString(data, "{\"text\":\"a\",\"label\":1.5}\n{\"text\":\"b\",\"label\":true}\n");
        assertOneLineFailure(train("regression", data, null, out),
                data + ":2: field \"label\" must be a number (or a string holding one), got boolean");
        assertFalse(Files.exists(out));
    }

    @Test
    void metricForBestTheTaskLacks() throws IOException {
        Path out = tmp.resolve("out");
        Files.createDirectories(out);
        Files.writeString(out.resolve("keep.txt"), "mine");
        assertOneLineFailure(train("regression", data("regression/train.jsonl"), null, out, "--overwrite",
                        "--metric-for-best", "accuracy"),
                "--metric-for-best: regression has no metric 'accuracy' (expected loss, mse, mae, pearson, spearman)");
        assertOneLineFailure(ner(data("ner/train.conll"), null, out, "--overwrite", "--metric-for-best", "micro_f1"),
                "--metric-for-best: token-classification has no metric 'micro_f1' (expected loss, f1, precision,"
                        + " recall, macro_f1, weighted_f1, accuracy)");
        assertEquals(List.of("keep.txt"), list(out));
    }

    @Test
    void resumeWithAnotherTaskThanTheCheckpoint() throws IOException {
        Path out = tmp.resolve("out");
        CliRun first = ner(data("ner/train.conll"), null, out, "--max-steps", "2", "--save-steps", "2",
                "--threads", "2");
        assertEquals(0, first.exitCode(), first.err());
        List<String> before = list(out);

        assertOneLineFailure(train("sequence-classification", data("ner/train.conll"), null, out, "--max-steps", "2",
                        "--save-steps", "2", "--threads", "2", "--resume"),
                "--resume: " + out.resolve("checkpoint-2") + " was made with other settings (checkpoint"
                        + " task=token-classification, now task=sequence-classification)");
        assertEquals(before, list(out), "nothing written or removed");
    }

    @Test
    void strideTooLargeForTheMaxLength() throws IOException {
        Path out = tmp.resolve("out");
        Files.createDirectories(out);
        Files.writeString(out.resolve("keep.txt"), "mine");
        assertOneLineFailure(ner(data("ner/train.conll"), null, out, "--overwrite", "--stride", "62"),
                "--stride must be in [0, 61] for --max-length 64, got 62");
        assertEquals(List.of("keep.txt"), list(out));
    }

    @Test
    void evaluateNamesTheRowAFineTunedModelCannotScore() throws IOException {
        Path validation = validationWithTag(7, "B-Chemical");
        assertOneLineFailure(CliRun.run("evaluate", "--model", data("trained-token").toString(), "--data",
                        validation.toString(), "--device", "cpu", "--max-length", "64"), "evaluate",
                validation + ":7: tag \"B-Chemical\" was never seen in training " + KNOWN_TAGS);

        Path rows = tmp.resolve("v.jsonl");
        Files.writeString(rows, "{\"text\":\"a\",\"label\":[\"urgent\"]}\n");
        assertOneLineFailure(CliRun.run("evaluate", "--model", data("trained-multilabel").toString(), "--data",
                        rows.toString(), "--device", "cpu"), "evaluate",
                rows + ":1: label \"urgent\" was never seen in training (known labels: money, reply, spam)");
    }

    @Test
    void evaluateRefusesAStrideTooLargeAsTrainDoes() {
        assertOneLineFailure(CliRun.run("evaluate", "--model", data("trained-token").toString(), "--data",
                        data("ner/validation.conll").toString(), "--device", "cpu", "--max-length", "64", "--stride", "62"),
                "evaluate", "--stride must be in [0, 61] for --max-length 64, got 62");
    }

    private static List<String> list(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
