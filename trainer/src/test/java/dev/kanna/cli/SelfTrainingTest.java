/*
 * `kanna train --self-training` on the tiny model and a small separable dataset (spam words vs ham
 * words, made here with a fixed seed; the email rows of tiny/ are too hard for a 300-word model to
 * become confident on in a few steps): each round's pseudo-labels are exactly the previous round's
 * model's confident, class-balanced predictions (checked against that model's own predictions, and
 * not the model before it), the best round's model is the output, and a run killed in round 1 and
 * resumed ends bitwise where the uninterrupted one ends. Bad settings fail in one line.
 */
package dev.kanna.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kanna.data.Example;
import dev.kanna.trainer.FineTunedModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

class SelfTrainingTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final double CONFIDENCE = 0.6;

    @TempDir
    Path tmp;

    /** n rows of 3-8 words, every third of spam words, the rest of ham words; labelled or not. */
    private Path data(String name, int n, boolean labelled, long seed) throws Exception {
        String[] spam = {"$$$", "!!!", "free", "win", "cash", "$", "!!", "offer"};
        String[] ham = {"re:", "the", "meeting", "on", "for", "agenda", "see", "with"};
        Random random = new Random(seed);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            String[] words = i % 3 == 0 ? spam : ham;
            List<String> text = new ArrayList<>();
            for (int w = 3 + random.nextInt(6); w > 0; w--) text.add(words[random.nextInt(words.length)]);
            sb.append(labelled ? String.format("{\"text\": \"%s\", \"label\": \"%s\"}%n", String.join(" ", text), i % 3 == 0 ? "spam" : "ham")
                    : String.join(" ", text) + "\n");
        }
        return Files.writeString(tmp.resolve(name), sb.toString());
    }

    private String[] args(Path out, Path unlabeled, String... extra) throws Exception {
        List<String> all = new ArrayList<>(List.of("train", "--model", TinyFixtures.model().toString(),
                "--train", data("train.jsonl", 24, true, 1).toString(), "--validation", data("validation.jsonl", 12, true, 2).toString(),
                "--out", out.toString(), "--unfreeze", "all", "--epochs", "6", "--lr", "1e-2", "--no-dropout",
                "--metric-for-best", "loss",   // the last, most confident weights rather than the first that classify all right
                "--batch-size", "8", "--max-length", "32", "--device", "cpu", "--threads", "2",
                "--unlabeled", unlabeled.toString(), "--self-training", "2", "--confidence", String.valueOf(CONFIDENCE)));
        all.addAll(List.of(extra));
        return all.toArray(String[]::new);
    }

    /** A round's model's prediction on each unlabelled line: label and probability. */
    private static List<Map<String, Object>> predictions(Path model, List<String> texts) throws Exception {
        List<Example> inputs = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) inputs.add(Example.unlabelled(texts.get(i), null, i + 1));
        try (FineTunedModel m = FineTunedModel.load(model, "cpu", 2, 32, line -> { })) {
            return m.predict(inputs, 64);
        }
    }

    /**
     * The pseudo-labels the rule gives, as [line, label, probability] in line order: predictions at
     * or above the confidence; labelled shares ham 16, spam 8 of 24, so n = min(⌊ham·24/16⌋, ⌊spam·24/8⌋)
     * rows, ⌊n·16/24⌋ ham and ⌊n·8/24⌋ spam, the most probable of each (ties: the earlier line).
     */
    private static List<List<Object>> expectedPseudoLabels(List<Map<String, Object>> predictions) {
        Map<String, List<Integer>> confident = new TreeMap<>(Map.of("ham", new ArrayList<>(), "spam", new ArrayList<>()));
        for (int i = 0; i < predictions.size(); i++) {
            if (((Number) predictions.get(i).get("score")).doubleValue() >= CONFIDENCE) {
                confident.get((String) predictions.get(i).get("label")).add(i);
            }
        }
        long n = Math.min(confident.get("ham").size() * 24L / 16, confident.get("spam").size() * 24L / 8);
        List<Integer> kept = new ArrayList<>();
        for (String label : List.of("ham", "spam")) {
            List<Integer> rows = new ArrayList<>(confident.get(label));
            rows.sort(Comparator.comparingDouble((Integer i) -> -((Number) predictions.get(i).get("score")).doubleValue())
                    .thenComparingInt(i -> i));
            kept.addAll(rows.subList(0, (int) (n * (label.equals("ham") ? 16 : 8) / 24)));
        }
        kept.sort(null);
        List<List<Object>> out = new ArrayList<>();
        for (int i : kept) out.add(List.of(i + 1, predictions.get(i).get("label"), predictions.get(i).get("score")));
        return out;
    }

    private static List<List<Object>> pseudoLabels(Path file) throws Exception {
        List<List<Object>> out = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            JsonNode row = JSON.readTree(line);
            out.add(List.of(row.get("unlabeled_line").asInt(), row.get("label").asText(), row.get("probability").asDouble()));
        }
        return out;
    }

    @Test
    void pseudoLabelsComeFromThePreviousRoundsModelAndTheBestRoundIsSaved() throws Exception {
        Path unlabeled = data("unlabeled.txt", 30, false, 3), out = tmp.resolve("st");
        CliRun run = CliRun.run(args(out, unlabeled));
        assertEquals(0, run.exitCode(), run.err());
        List<String> texts = Files.readAllLines(unlabeled);

        for (int r = 1; r <= 2; r++) {
            List<Map<String, Object>> previous = predictions(out.resolve("round-" + (r - 1)), texts);
            List<List<Object>> expected = expectedPseudoLabels(previous);
            assertFalse(expected.isEmpty(), "round " + (r - 1) + "'s model is confident on both classes: " + previous);
            List<List<Object>> actual = pseudoLabels(out.resolve("pseudo-labels-" + r + ".jsonl"));
            assertEquals(expected, actual, "round " + r + " from round " + (r - 1) + "'s model");
            for (String line : Files.readAllLines(out.resolve("pseudo-labels-" + r + ".jsonl"))) {
                JsonNode row = JSON.readTree(line);
                assertEquals(texts.get(row.get("unlabeled_line").asInt() - 1), row.get("text").asText());
            }
            assertTrue(run.errLines().contains(String.format("self-training round %d: round %d's model labelled 30 texts, %d at"
                            + " probability ≥ 0.6 %s; kept %d in the labelled data's class shares %s", r, r - 1,
                    previous.stream().filter(p -> ((Number) p.get("score")).doubleValue() >= CONFIDENCE).count(),
                    counts(previous, true), actual.size(), counts(actual))), run.err());
        }
        // Not round 0's model: round 2's probabilities are round 1's model's, which differ from round 0's.
        List<List<Object>> fromRound0 = expectedPseudoLabels(predictions(out.resolve("round-0"), texts));
        assertNotEquals(fromRound0, pseudoLabels(out.resolve("pseudo-labels-2.jsonl")));

        JsonNode summary = JSON.readTree(run.lastOutLine());
        JsonNode record = JSON.readTree(out.resolve("self_training.json").toFile());
        assertEquals(3, record.get("rounds").size());
        int best = 0;
        for (int r = 0; r < 3; r++) {
            JsonNode round = record.get("rounds").get(r);
            double loss = JSON.readTree(out.resolve("round-" + r).resolve("metrics.json").toFile()).at("/validation/loss").asDouble();
            assertEquals(loss, round.get("loss").asDouble(), "round " + r + "'s own validation score");
            if (loss < record.get("rounds").get(best).get("loss").asDouble()) best = r;
        }
        assertEquals(best, record.get("best_round").asInt());
        assertEquals(best, summary.get("best_round").asInt());
        assertArrayEquals(Files.readAllBytes(out.resolve("round-" + best).resolve("model.safetensors")),
                Files.readAllBytes(out.resolve("model.safetensors")), "the best round's model is the output");
        assertEquals(out.resolve("pseudo-labels-1.jsonl").toAbsolutePath().toString(), JSON.readTree(
                out.resolve("round-1").resolve("training_record.json").toFile()).at("/data/pseudo_labels/path").asText());
    }

    private static Map<String, Long> counts(List<Map<String, Object>> predictions, boolean confidentOnly) {
        Map<String, Long> counts = new TreeMap<>();
        for (Map<String, Object> p : predictions) {
            if (!confidentOnly || ((Number) p.get("score")).doubleValue() >= CONFIDENCE) counts.merge((String) p.get("label"), 1L, Long::sum);
        }
        return counts;
    }

    private static Map<String, Long> counts(List<List<Object>> pseudo) {
        Map<String, Long> counts = new TreeMap<>();
        for (List<Object> row : pseudo) counts.merge((String) row.get(1), 1L, Long::sum);
        return counts;
    }

    @Test
    void killedInRoundOneAndResumedEndsBitwiseWhereAnUninterruptedRunEnds() throws Exception {
        Path unlabeled = data("unlabeled.txt", 30, false, 3), whole = tmp.resolve("whole"), killed = tmp.resolve("killed");
        assertEquals(0, CliRun.run(args(whole, unlabeled, "--save-steps", "10")).exitCode());

        // Round 0 takes 18 steps (24 rows, 3 a epoch, 6 epochs), round 1 at least 24: step 20 is round 1's.
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                "-Dkanna.faultInjection.haltAfterStep=20", Main.class.getName()));
        command.addAll(List.of(args(killed, unlabeled, "--save-steps", "10")));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(tmp.resolve("killed.log").toFile()).start();
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "the training process did not stop");
        assertEquals(137, p.exitValue(), Files.readString(tmp.resolve("killed.log")));
        assertTrue(Files.isDirectory(killed.resolve("round-1").resolve("checkpoint-20")));
        assertFalse(Files.exists(killed.resolve("round-2")));

        CliRun again = CliRun.run(args(killed, unlabeled, "--save-steps", "10"));
        assertEquals(1, again.exitCode(), again.err());
        assertTrue(again.errLines().getFirst().endsWith(" already exists (use --overwrite to replace it, or --resume to"
                + " continue the run it holds)"), again.err());

        CliRun resumed = CliRun.run(args(killed, unlabeled, "--save-steps", "10", "--resume"));
        assertEquals(0, resumed.exitCode(), resumed.err());
        assertTrue(resumed.errLines().contains("self-training round 0: done earlier in " + killed.resolve("round-0")), resumed.err());
        assertTrue(resumed.errLines().contains("round 1: resuming from " + killed.resolve("round-1").resolve("checkpoint-20")
                + " at step 20"), resumed.err());
        for (String file : List.of("model.safetensors", "pseudo-labels-1.jsonl", "pseudo-labels-2.jsonl",
                "round-1/model.safetensors", "round-2/model.safetensors", "round-2/training_log.jsonl")) {
            assertArrayEquals(Files.readAllBytes(whole.resolve(file)), Files.readAllBytes(killed.resolve(file)), file);
        }
        assertEquals(JSON.readTree(whole.resolve("self_training.json").toFile()).get("rounds"),
                JSON.readTree(killed.resolve("self_training.json").toFile()).get("rounds"));
    }

    @Test
    void badSettingsFailInOneLineWithNothingWritten() throws Exception {
        Path unlabeled = data("unlabeled.txt", 30, false, 3), out = tmp.resolve("st");
        Path empty = Files.writeString(tmp.resolve("empty.txt"), "");
        String[][] cases = {
                {"--confidence", "1", "--confidence must be in (0, 1), got 1.0"},
                {"--confidence", "0", "--confidence must be in (0, 1), got 0.0"},
                {"--self-training", "0", "--self-training must be ≥ 1 round, got 0"},
                {"--unlabeled", empty.toString(), empty + ": no documents (the file is empty)"},
                {"--task", "multi-label", "--self-training applies to sequence-classification (a predicted class with a"
                        + " probability to threshold), not to multi-label"},
        };
        for (String[] c : cases) {
            String[] args = args(out, unlabeled);
            List<String> list = new ArrayList<>(List.of(args));
            int at = list.indexOf(c[0]);
            if (at >= 0) list.set(at + 1, c[1]);
            else list.addAll(List.of(c[0], c[1]));
            CliRun run = CliRun.run(list.toArray(String[]::new));
            assertEquals(1, run.exitCode(), run.err());
            assertEquals(List.of("kanna train: " + c[2]), run.errLines(), String.join(" ", c));
            assertFalse(Files.exists(out), "nothing written");
        }
        List<String> noValidation = new ArrayList<>(List.of(args(out, unlabeled)));
        int v = noValidation.indexOf("--validation");
        noValidation.subList(v, v + 2).clear();
        assertEquals(List.of("kanna train: --self-training needs --validation data to pick the best round"),
                CliRun.run(noValidation.toArray(String[]::new)).errLines());
        assertEquals(List.of("kanna train: --unlabeled needs --self-training ROUNDS"), CliRun.run(TinyFixtures.trainArgs(out,
                "--unlabeled", unlabeled.toString())).errLines());
        assertFalse(Files.exists(out));
    }
}
