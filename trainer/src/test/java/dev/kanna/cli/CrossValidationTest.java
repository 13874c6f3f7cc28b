/*
 * `kanna train --folds K` on the tiny model: K fold models, each a normal train output validated
 * on its held-out rows; folds.json, whose counts per class (read here from the training file) are
 * exact; metrics.json with each fold's figures and their mean and sample standard deviation
 * (recomputed here); --ensemble's ensemble.json weighted by the folds' held-out scores, which
 * evaluate takes; the --validation file scored by each fold and by their ensemble; token
 * classification stratified by the entity types of each sentence; --resume keeping finished folds
 * and refusing another split; and K larger than the smallest class: one line, exit 1, nothing written.
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.*;

class CrossValidationTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private static String[] with(String[] base, String... extra) {
        List<String> all = new ArrayList<>(List.of(base));
        all.addAll(List.of(extra));
        return all.toArray(String[]::new);
    }

    private static JsonNode read(Path file) throws IOException {
        return JSON.readTree(file.toFile());
    }

    /** Each stratum's count in each fold must be ⌊n/K⌋ or ⌈n/K⌉. */
    private static void assertEven(List<String> strata, JsonNode foldOfRow, int k) {
        assertEquals(strata.size(), foldOfRow.size());
        Map<String, int[]> counts = new HashMap<>();
        for (int i = 0; i < strata.size(); i++) counts.computeIfAbsent(strata.get(i), s -> new int[k])[foldOfRow.get(i).asInt() - 1]++;
        counts.forEach((stratum, perFold) -> {
            int n = 0;
            for (int c : perFold) n += c;
            for (int c : perFold) assertTrue(c == n / k || c == n / k + 1, stratum + ": " + java.util.Arrays.toString(perFold));
        });
    }

    @Test
    void foldsTrainValidateOnTheirHeldOutRowsAndFormAnEnsemble() throws IOException {
        Path out = tmp.resolve("cv");
        CliRun run = CliRun.run(with(TinyFixtures.trainArgs(out), "--folds", "3", "--ensemble"));
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.err().contains("mean ± sd"), run.err());
        JsonNode summary = JSON.readTree(run.lastOutLine());
        assertEquals(out.toString(), summary.get("model_dir").asText());

        // folds.json: 48 rows, 24 ham and 24 spam: every fold holds out 16 rows, 8 of each.
        JsonNode folds = read(out.resolve("folds.json"));
        List<String> labels = new ArrayList<>();
        for (String line : Files.readAllLines(TinyFixtures.train())) labels.add(JSON.readTree(line).get("label").asText());
        JsonNode foldOfRow = folds.get("fold_of_row");
        for (int f = 1; f <= 3; f++) {
            int ham = 0, spam = 0;
            for (int i = 0; i < labels.size(); i++) {
                if (foldOfRow.get(i).asInt() != f) continue;
                if (labels.get(i).equals("ham")) ham++;
                else spam++;
            }
            assertEquals(8, ham, "fold " + f);
            assertEquals(8, spam, "fold " + f);
        }

        JsonNode metrics = read(out.resolve("metrics.json"));
        assertEquals(3, metrics.get("folds").asInt());
        assertEquals("class", metrics.get("stratified_by").asText());
        assertEquals(summary.get("mean"), metrics.get("mean"));
        String metric = metrics.get("metric_for_best").asText();
        assertEquals("macro_f1", metric);
        double[] scores = new double[3];
        for (int f = 0; f < 3; f++) {
            Path dir = out.resolve("fold-" + (f + 1));
            JsonNode own = read(dir.resolve("metrics.json"));
            JsonNode listed = metrics.get("fold_metrics").get(f);
            assertEquals(own.get("validation"), listed.get("validation"), "fold " + (f + 1));
            assertEquals(32, listed.get("train_rows").asInt());
            assertEquals(16, listed.get("held_out_rows").asInt());
            assertTrue(Files.isRegularFile(dir.resolve("model.safetensors")));
            JsonNode record = read(dir.resolve("training_record.json"));
            assertEquals(f + 1, record.at("/cross_validation/fold").asInt());
            assertEquals(16, record.at("/cross_validation/held_out_rows").asInt());
            scores[f] = own.at("/validation/" + metric).asDouble();
        }
        for (String name : List.of("loss", "accuracy", "macro_f1")) {
            double[] v = new double[3];
            for (int f = 0; f < 3; f++) v[f] = metrics.get("fold_metrics").get(f).at("/validation/" + name).asDouble();
            double mean = (v[0] + v[1] + v[2]) / 3;
            double sd = Math.sqrt(((v[0] - mean) * (v[0] - mean) + (v[1] - mean) * (v[1] - mean) + (v[2] - mean) * (v[2] - mean)) / 2);
            assertEquals(mean, metrics.at("/mean/" + name).asDouble(), 1e-12, name);
            assertEquals(sd, metrics.at("/std/" + name).asDouble(), 1e-12, name + ": sample standard deviation");
        }

        JsonNode manifest = read(out.resolve("ensemble.json"));
        double total = scores[0] + scores[1] + scores[2];
        for (int f = 0; f < 3; f++) {
            assertEquals("fold-" + (f + 1), manifest.at("/members/" + f + "/path").asText());
            assertEquals(scores[f] / total, manifest.at("/members/" + f + "/weight").asDouble(), 1e-12);
        }

        // The --validation file is scored by each fold model and by their ensemble, as evaluate scores OUT.
        JsonNode onFile = metrics.get("validation_file");
        assertEquals(24, onFile.get("rows").asInt());
        assertEquals(3, onFile.get("folds").size());
        CliRun eval = CliRun.run("evaluate", "--model", out.toString(), "--data", TinyFixtures.validation().toString(),
                "--device", "cpu", "--threads", "2", "--max-length", "64");
        assertEquals(0, eval.exitCode(), eval.err());
        JsonNode evaluated = JSON.readTree(eval.lastOutLine());
        for (String name : List.of("loss", "accuracy", "macro_f1")) {
            assertEquals(evaluated.get(name).asDouble(), onFile.at("/ensemble/" + name).asDouble(), 1e-12, name);
            for (int f = 0; f < 3; f++) {
                assertEquals(evaluated.at("/members/" + f + "/" + name).asDouble(), onFile.at("/folds/" + f + "/" + name).asDouble(),
                        1e-12, "fold " + (f + 1) + " " + name);
            }
        }

        // Killed after fold 1 (fold 2 and the summary lost) and resumed: the same figures.
        byte[] before = Files.readAllBytes(out.resolve("metrics.json"));
        dev.kanna.io.AtomicFiles.deleteRecursively(out.resolve("fold-2"));
        dev.kanna.io.AtomicFiles.deleteRecursively(out.resolve("fold-3"));
        Files.delete(out.resolve("metrics.json"));
        CliRun resumed = CliRun.run(with(TinyFixtures.trainArgs(out), "--folds", "3", "--ensemble", "--resume"));
        assertEquals(0, resumed.exitCode(), resumed.err());
        assertTrue(resumed.err().contains("fold 1/3: resuming from"), resumed.err());
        assertEquals(new String(before), Files.readString(out.resolve("metrics.json")));
        CliRun other = CliRun.run(with(TinyFixtures.trainArgs(out), "--folds", "4", "--ensemble", "--resume"));
        assertEquals(1, other.exitCode(), other.err());
        assertEquals(List.of("kanna train: --resume: " + out.resolve("folds.json") + " holds another split of the rows"
                + " (other --folds, --seed, --limit-train or data); resume with the settings the run began with"), other.errLines());
    }

    @Test
    void tokenClassificationFoldsByEntityTypes() throws IOException {
        Path out = tmp.resolve("ner");
        CliRun run = CliRun.run(with(TaskTrainingTest.nerArgs(out), "--folds", "2", "--ensemble", "--max-steps", "2"));
        assertEquals(0, run.exitCode(), run.err());
        // Each sentence's stratum: the set of entity types it holds (IOB2 here: a B- tag starts each entity).
        List<String> strata = new ArrayList<>();
        TreeSet<String> types = null;   // the sentence being read; null between sentences
        List<String> lines = new ArrayList<>(Files.readAllLines(TinyFixtures.root().resolve("ner/train.conll")));
        lines.add("");
        for (String line : lines) {
            if (line.isBlank()) {
                if (types != null) strata.add(types.toString());
                types = null;
                continue;
            }
            if (types == null) types = new TreeSet<>();
            String tag = line.split("\t")[1];
            if (tag.startsWith("B-")) types.add(tag.substring(2));
        }
        assertEquals(40, strata.size());
        JsonNode folds = read(out.resolve("folds.json"));
        assertEquals("entity type-set", folds.get("stratified_by").asText());
        assertEven(strata, folds.get("fold_of_row"), 2);
        CliRun eval = CliRun.run("evaluate", "--model", out.toString(), "--data",
                TinyFixtures.root().resolve("ner/validation.conll").toString(), "--device", "cpu", "--threads", "2",
                "--max-length", "64");
        assertEquals(0, eval.exitCode(), eval.err());
        assertEquals(2, JSON.readTree(eval.lastOutLine()).get("members").size());
    }

    @Test
    void moreFoldsThanTheSmallestClassIsOneLineAndWritesNothing() {
        Path out = tmp.resolve("cv");
        CliRun run = CliRun.run(with(TinyFixtures.trainArgs(out), "--folds", "25"));
        assertEquals(1, run.exitCode(), run.err());
        assertEquals(List.of("kanna train: --folds 25: the class \"ham\" occurs in only 24 rows of " + TinyFixtures.train()
                + "; every fold must hold out some of each class (--folds 24 at most)"), run.errLines());
        assertFalse(Files.exists(out));

        CliRun lone = CliRun.run(with(TinyFixtures.trainArgs(out), "--ensemble"));
        assertEquals(List.of("kanna train: --ensemble needs --folds K"), lone.errLines());
        CliRun one = CliRun.run(with(TinyFixtures.trainArgs(out), "--folds", "1"));
        assertEquals(List.of("kanna train: --folds must be ≥ 2, got 1"), one.errLines());
        assertFalse(Files.exists(out));
    }
}
