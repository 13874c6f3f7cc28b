/*
 * `kanna tune` end to end on the tiny model: three trials write trials.jsonl, best.json (whose
 * command line retrains the best model bitwise), best-model/, tune.svg and the JSON summary; the
 * data is tokenized once and, with --cache-frozen, the frozen layers cached once for all trials; a
 * search stopped after two trials and resumed records exactly the trials of an uninterrupted one; a
 * trial that fails is recorded with its reason; bad input is one line and leaves nothing behind.
 */
package dev.kanna.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class TuneCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** lr high enough for the tiny model to learn in 1-2 epochs of 6 steps; only the head and the top layer train. */
    private static final String SPACE = """
            {"lr": {"type": "float", "low": 1e-3, "high": 1e-2, "log": true},
             "epochs": {"type": "int", "low": 1, "high": 2},
             "batch_size": {"type": "categorical", "choices": [8, 16]}}""";

    @TempDir
    Path tmp;

    private String[] tuneArgs(Path out, String... extra) throws IOException {
        Path space = tmp.resolve("space.json");
        if (!Files.exists(space)) Files.writeString(space, SPACE);
        List<String> args = new ArrayList<>(List.of("tune", "--model", TinyFixtures.model().toString(),
                "--train", TinyFixtures.train().toString(), "--validation", TinyFixtures.validation().toString(),
                "--out", out.toString(), "--space", space.toString(), "--max-length", "64", "--unfreeze-top", "1",
                "--device", "cpu", "--threads", "2"));
        args.addAll(Arrays.asList(extra));
        return args.toArray(String[]::new);
    }

    private static List<JsonNode> trials(Path out) throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(out.resolve("trials.jsonl"))) lines.add(JSON.readTree(line));
        return lines;
    }

    private static long count(String text, String part) {
        return text.lines().filter(l -> l.contains(part)).count();
    }

    @Test
    void threeTrialsWriteTheirRecordsTheBestModelAndACommandThatRetrainsIt() throws Exception {
        Path out = tmp.resolve("tune");
        CliRun run = CliRun.run(tuneArgs(out, "--trials", "3", "--cache-frozen", "--sampler", "random"));
        assertEquals(0, run.exitCode(), run.err());

        List<JsonNode> trials = trials(out);
        assertEquals(3, trials.size());
        for (int i = 0; i < 3; i++) {
            JsonNode t = trials.get(i);
            assertEquals(i, t.get("number").asInt());
            assertEquals(List.of("lr", "batch_size", "epochs", "warmup_ratio", "weight_decay", "dropout", "layer_lr_decay"),
                    iterable(t.get("settings").fieldNames()), "unfreeze_top is fixed by --unfreeze-top");
            assertTrue(List.of("complete", "pruned").contains(t.get("state").asText()), t.toString());
            assertTrue(t.get("epoch_values").size() >= 1 && t.get("epoch_values").size() <= t.get("settings").get("epochs").asInt());
            assertTrue(t.get("seconds").asDouble() > 0);
        }
        assertEquals("complete", trials.getFirst().get("state").asText(), "the first trial has no rival at its rung");

        // Tokenized once for all trials; layer 0 and the embeddings cached once, reused by the later trials.
        assertEquals(1, count(run.err(), "tokenized 48 training and 24 validation rows"), run.err());
        assertEquals(3, count(run.err(), "reusing the tokenized data of an earlier run"), run.err());
        assertEquals(1, count(run.err(), "--cache-frozen: caching the embeddings and layers 0-0"), run.err());
        assertEquals(2, count(run.err(), "--cache-frozen: reusing the cache of the embeddings and layers 0-0"), run.err());

        JsonNode best = JSON.readTree(out.resolve("best.json").toFile());
        JsonNode summary = JSON.readTree(run.lastOutLine());
        assertEquals(3, summary.get("trials").asInt());
        assertEquals(best.get("trial").asInt(), summary.get("best_trial").asInt());
        assertEquals(summary, JSON.readTree(out.resolve("summary.json").toFile()));
        double bestValue = trials.stream().filter(t -> t.get("state").asText().equals("complete"))
                .mapToDouble(t -> t.get("value").asDouble()).max().orElseThrow();
        assertEquals(bestValue, best.get("value").asDouble());
        assertTrue(Files.isRegularFile(out.resolve("best-model/model.safetensors")));
        assertTrue(Files.isRegularFile(out.resolve("best-model/config.json")));
        assertFalse(Files.exists(out.resolve("best-model/checkpoint-6")), "checkpoints are not part of the best model");
        assertFalse(Files.exists(out.resolve("trials")), "the trials' working directories are gone");
        String svg = Files.readString(out.resolve("tune.svg"));
        assertTrue(svg.startsWith("<svg") && svg.contains("validation macro_f1 by trial") && svg.contains(">lr<"), svg);
        assertTrue(run.err().contains("to train it again: kanna train --model"), run.err());

        // The ready command line trains the best model again, bitwise.
        List<String> command = new ArrayList<>();
        best.get("command_line").forEach(w -> command.add(w.asText()));
        assertEquals(List.of("kanna", "train"), command.subList(0, 2));
        Path rerun = tmp.resolve("rerun");
        command.set(command.size() - 1, rerun.toString());
        CliRun train = CliRun.run(command.subList(1, command.size()).toArray(String[]::new));
        assertEquals(0, train.exitCode(), train.err());
        assertArrayEquals(Files.readAllBytes(out.resolve("best-model/model.safetensors")),
                Files.readAllBytes(rerun.resolve("model.safetensors")));
    }

    @Test
    void aResumedSearchRecordsTheTrialsOfAnUninterruptedOne() throws Exception {
        Path whole = tmp.resolve("whole"), parts = tmp.resolve("parts");
        assertEquals(0, CliRun.run(tuneArgs(whole, "--trials", "3", "--sampler", "tpe")).exitCode());
        assertEquals(0, CliRun.run(tuneArgs(parts, "--trials", "2", "--sampler", "tpe")).exitCode());
        Files.createDirectories(parts.resolve("trials/trial-0002/checkpoint-6"));   // what a kill in trial 2 leaves
        CliRun resumed = CliRun.run(tuneArgs(parts, "--trials", "3", "--sampler", "tpe", "--resume"));
        assertEquals(0, resumed.exitCode(), resumed.err());
        assertTrue(resumed.err().contains("--resume: 2 trials recorded"), resumed.err());

        List<JsonNode> a = trials(whole), b = trials(parts);
        assertEquals(3, b.size());
        for (int i = 0; i < 3; i++) {
            ((com.fasterxml.jackson.databind.node.ObjectNode) a.get(i)).remove("seconds");
            ((com.fasterxml.jackson.databind.node.ObjectNode) b.get(i)).remove("seconds");
            assertEquals(a.get(i), b.get(i), "trial " + i);
        }
        assertArrayEquals(Files.readAllBytes(whole.resolve("best-model/model.safetensors")),
                Files.readAllBytes(parts.resolve("best-model/model.safetensors")));

        CliRun other = CliRun.run(tuneArgs(parts, "--trials", "3", "--sampler", "random", "--resume"));
        assertEquals(1, other.exitCode());
        assertTrue(other.err().contains("--resume: " + parts + " holds a search with other settings (then sampler=tpe, now sampler=random)"),
                other.err());
    }

    @Test
    void aFailingTrialIsRecordedAndTheSearchGoesOn() throws Exception {
        Path out = tmp.resolve("failing"), space = tmp.resolve("space.json");
        Files.writeString(space, """
                {"lr": {"type": "float", "low": 1e-3, "high": 1e-2, "log": true},
                 "epochs": {"type": "int", "low": 1, "high": 1},
                 "unfreeze_top": {"type": "categorical", "choices": [0, 1]}}""");
        List<String> args = new ArrayList<>(List.of(tuneArgs(out, "--trials", "4", "--reinit-top", "1", "--pruner", "none",
                "--sampler", "random")));
        int fixed = args.indexOf("--unfreeze-top");
        args.remove(fixed);
        args.remove(fixed);
        CliRun run = CliRun.run(args.toArray(String[]::new));
        assertEquals(0, run.exitCode(), run.err());
        List<JsonNode> trials = trials(out);
        assertEquals(4, trials.size());
        for (JsonNode t : trials) {
            boolean reinitFrozen = t.get("settings").get("unfreeze_top").asInt() == 0;
            assertEquals(reinitFrozen ? "failed" : "complete", t.get("state").asText(), t.toString());
            if (reinitFrozen) assertTrue(t.get("reason").asText().startsWith("--reinit-top 1 re-initialises"), t.toString());
        }
        assertTrue(trials.stream().anyMatch(t -> t.get("state").asText().equals("failed")), "seed gives a failing trial");
    }

    @Test
    void badInputIsOneLineAndLeavesNothingBehind() throws Exception {
        Path out = tmp.resolve("bad"), space = tmp.resolve("bad-space.json");
        Files.writeString(space, "{\"lr\": {\"type\": \"float\", \"low\": 1e-2, \"high\": 1e-3}}");
        List<String[]> cases = List.of(
                replace(tuneArgs(out, "--trials", "2"), "--space", space.toString()),
                tuneArgs(out, "--trials", "2", "--sampler", "grid"),
                tuneArgs(out, "--trials", "2", "--pruner", "median"),
                tuneArgs(out, "--trials", "2", "--metric", "auc"),
                tuneArgs(out, "--trials", "2", "--time", "soon"),
                tuneArgs(out, "--trials", "0"),
                tuneArgs(out, "--trials", "2", "--resume"));
        List<String> expected = List.of(
                "kanna tune: " + space + ": lr: empty range: low 0.01 > high 0.001",
                "kanna tune: --sampler: expected tpe or random, got 'grid'",
                "kanna tune: --pruner: expected asha or none, got 'median'",
                "kanna tune: --metric: sequence-classification has no metric 'auc' (expected loss, macro_f1,",
                "kanna tune: --time: expected a duration like 2h, 90m, 1h30m or 600s, got 'soon'",
                "kanna tune: --trials must be ≥ 1, got 0",
                "kanna tune: --resume: " + out.resolve("tune.json") + " does not exist");
        for (int i = 0; i < cases.size(); i++) {
            CliRun run = CliRun.run(cases.get(i));
            assertEquals(1, run.exitCode(), run.err());
            List<String> lines = run.errLines().stream().filter(l -> !l.startsWith("WARNING")).toList();
            assertEquals(1, lines.size(), run.err());
            assertTrue(lines.getFirst().startsWith(expected.get(i)), lines.getFirst());
            assertFalse(Files.exists(out), "nothing written for " + expected.get(i));
        }
        Files.createDirectories(out.resolve("x"));
        CliRun exists = CliRun.run(tuneArgs(out, "--trials", "2"));
        assertEquals(1, exists.exitCode());
        assertTrue(exists.err().contains(out + " already exists (use --overwrite to replace it, or --resume"), exists.err());
    }

    private static String[] replace(String[] args, String option, String value) {
        String[] copy = args.clone();
        copy[Arrays.asList(copy).indexOf(option) + 1] = value;
        return copy;
    }

    private static List<String> iterable(java.util.Iterator<String> it) {
        List<String> list = new ArrayList<>();
        it.forEachRemaining(list::add);
        return list;
    }
}
