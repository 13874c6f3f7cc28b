package dev.kanna.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kanna.io.SafetensorsFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

class TrainCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void trainWritesAHuggingFaceDirectoryWithLogsMetricsAndCheckpoints() throws Exception {
        Path out = tmp.resolve("run");
        CliRun run = CliRun.run(TinyFixtures.trainArgs(out, "--save-steps", "4"));
        assertEquals(0, run.exitCode(), run.err());

        JsonNode summary = JSON.readTree(run.lastOutLine());
        assertEquals(out.toString(), summary.get("model_dir").asText());
        assertEquals(12, summary.get("steps").asLong(), "48 rows / batch 8 = 6 steps per epoch, 2 epochs");
        assertEquals(48, summary.get("train_rows").asInt());
        assertTrue(summary.get("accuracy").isNumber() && summary.get("macro_f1").isNumber());

        for (String f : List.of("config.json", "model.safetensors", "tokenizer.json", "vocab.txt", "metrics.json",
                "training_log.jsonl", "training_curves.svg", "training_record.json")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        // Checkpoints at steps 4 and 8 (--save-steps) and at each epoch end (6, 12).
        for (int step : new int[]{4, 6, 8, 12}) {
            Path c = out.resolve("checkpoint-" + step);
            for (String f : List.of("model.safetensors", "config.json", "optimizer.safetensors", "trainer_state.json")) {
                assertTrue(Files.isRegularFile(c.resolve(f)), c + "/" + f);
            }
        }
        List<String> log = Files.readAllLines(out.resolve("training_log.jsonl"));
        assertEquals(12 + 2, log.size(), "one line per step and per evaluation (each epoch end)");
        assertEquals("eval", JSON.readTree(log.getLast()).get("type").asText());

        JsonNode record = JSON.readTree(out.resolve("training_record.json").toFile());
        assertEquals(sha256(TinyFixtures.train()), record.at("/data/train/sha256").asText());
        assertEquals(42, record.get("seed").asLong());
        assertEquals("train", record.get("command_line").get(1).asText());
        assertEquals("--model", record.get("command_line").get(2).asText(), "the subcommand once");

        JsonNode config = JSON.readTree(out.resolve("config.json").toFile());
        assertEquals("BertForSequenceClassification", config.get("architectures").get(0).asText());
        assertEquals("ham", config.at("/id2label/0").asText());
        assertEquals(1, config.at("/label2id/spam").asInt());
        assertEquals("single_label_classification", config.get("problem_type").asText());
    }

    @Test
    void savedDirectoryHasTheLayoutTransformersLoaded() throws Exception {
        // trained/ was written by `kanna train` and loaded by transformers without missing or unexpected
        // keys (tools/reference/trainer_fixtures.py --check-trained): a fresh run must save the same layout.
        Path out = tmp.resolve("run");
        assertEquals(0, CliRun.run(TinyFixtures.trainArgs(out)).exitCode());
        Path reference = TinyFixtures.root().resolve("trained");
        try (SafetensorsFile ours = SafetensorsFile.open(out.resolve("model.safetensors"));
             SafetensorsFile loaded = SafetensorsFile.open(reference.resolve("model.safetensors"))) {
            assertEquals(new TreeSet<>(loaded.names()), new TreeSet<>(ours.names()));
            for (String name : loaded.names()) {
                assertArrayEquals(loaded.info(name).shape(), ours.info(name).shape(), name);
                assertEquals(loaded.info(name).dtype(), ours.info(name).dtype(), name);
            }
            assertEquals(loaded.metadata(), ours.metadata());
        }
        Set<String> keys = new TreeSet<>(), expected = new TreeSet<>();
        JSON.readTree(out.resolve("config.json").toFile()).fieldNames().forEachRemaining(keys::add);
        JSON.readTree(reference.resolve("config.json").toFile()).fieldNames().forEachRemaining(expected::add);
        assertEquals(expected, keys);
    }

    @Test
    void sameSeedGivesBitwiseIdenticalWeights() throws Exception {
        Path a = tmp.resolve("a"), b = tmp.resolve("b");
        assertEquals(0, CliRun.run(TinyFixtures.trainArgs(a)).exitCode());
        assertEquals(0, CliRun.run(TinyFixtures.trainArgs(b)).exitCode());
        assertArrayEquals(Files.readAllBytes(a.resolve("model.safetensors")), Files.readAllBytes(b.resolve("model.safetensors")));
    }

    @Test
    void resumeAfterAKillEndsBitwiseWhereAnUninterruptedRunEnds() throws Exception {
        Path whole = tmp.resolve("whole"), killed = tmp.resolve("killed");
        assertEquals(0, CliRun.run(TinyFixtures.trainArgs(whole, "--save-steps", "4")).exitCode());

        // A separate JVM that dies abruptly (Runtime.halt, like kill -9) right after checkpoint-4 is written,
        // mid-epoch: the resumed run must skip the 4 batches already seen and restore optimizer state.
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                "-Dkanna.faultInjection.haltAfterStep=4", Main.class.getName()));
        command.addAll(List.of(TinyFixtures.trainArgs(killed, "--save-steps", "4")));
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("killed.log").toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the training process did not stop");
        assertEquals(137, p.exitValue(), Files.readString(tmp.resolve("killed.log")));
        assertTrue(Files.isDirectory(killed.resolve("checkpoint-4")));
        assertFalse(Files.exists(killed.resolve("model.safetensors")), "the killed run never finished");

        CliRun resumed = CliRun.run(TinyFixtures.trainArgs(killed, "--save-steps", "4", "--resume"));
        assertEquals(0, resumed.exitCode(), resumed.err());
        assertTrue(resumed.err().contains("resuming from"), resumed.err());
        assertArrayEquals(Files.readAllBytes(whole.resolve("model.safetensors")),
                Files.readAllBytes(killed.resolve("model.safetensors")));
        assertArrayEquals(Files.readAllBytes(whole.resolve("checkpoint-12").resolve("optimizer.safetensors")),
                Files.readAllBytes(killed.resolve("checkpoint-12").resolve("optimizer.safetensors")));
    }

    @Test
    void resumeRefusesTrainingDataThatChanged() throws Exception {
        Path data = Files.copy(TinyFixtures.train(), tmp.resolve("train.jsonl")), out = tmp.resolve("run");
        String[] args = TinyFixtures.trainArgs(out, "--max-steps", "2", "--save-steps", "2");
        args[List.of(args).indexOf("--train") + 1] = data.toString();
        assertEquals(0, CliRun.run(args).exitCode());
        Files.writeString(data, "{\"text\":\"one more row\",\"label\":\"ham\"}\n", java.nio.file.StandardOpenOption.APPEND);
        List<String> before;
        try (var s = Files.list(out)) {
            before = s.map(Path::toString).sorted().toList();
        }

        String[] resume = java.util.Arrays.copyOf(args, args.length + 1);
        resume[args.length] = "--resume";
        CliRun run = CliRun.run(resume);
        assertEquals(1, run.exitCode(), run.err());
        assertEquals(1, run.errLines().size(), run.err());
        assertTrue(run.errLines().getFirst().startsWith("kanna train: --resume: the train data " + data
                + " is not what " + out.resolve("checkpoint-2") + " was trained on (SHA-256 "), run.err());
        try (var s = Files.list(out)) {
            assertEquals(before, s.map(Path::toString).sorted().toList(), "nothing written or removed");
        }
    }

    @Test
    void theEpochsLastStepIsCheckpointedOnceAndResumeClearsKilledSaves() throws Exception {
        // --save-steps 3 divides the epoch's last step (6): the one checkpoint-6 written is the epoch-end one
        // (after the evaluation, epoch counted), so a run halted right after its first save at step 6 holds it.
        Path out = tmp.resolve("run");
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                "-Dkanna.faultInjection.haltAfterStep=6", Main.class.getName()));
        command.addAll(List.of(TinyFixtures.trainArgs(out, "--save-steps", "3")));
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("killed.log").toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the training process did not stop");
        assertEquals(137, p.exitValue(), Files.readString(tmp.resolve("killed.log")));
        JsonNode state = JSON.readTree(out.resolve("checkpoint-6").resolve("trainer_state.json").toFile());
        assertEquals(1, state.get("epoch").asInt(), "the epoch-end checkpoint, not a mid-epoch one");
        assertEquals(0, state.get("batchInEpoch").asInt());
        assertEquals(6, state.get("evalLogs").get(0).get("step").asLong(), "written after the epoch's evaluation");

        // What a save killed midway leaves: its temporary directory and a set-aside older checkpoint.
        Path temp = Files.createDirectories(out.resolve(".checkpoint-9.tmp-1f2e3d"));
        Files.writeString(temp.resolve("model.safetensors"), "partial");
        Path aside = Files.createDirectories(out.resolve(".checkpoint-3.old-abc"));
        CliRun resumed = CliRun.run(TinyFixtures.trainArgs(out, "--save-steps", "3", "--resume"));
        assertEquals(0, resumed.exitCode(), resumed.err());
        assertFalse(Files.exists(temp), "the killed save's temporary directory is removed");
        assertFalse(Files.exists(aside), "the set-aside checkpoint is removed");
        assertTrue(Files.isRegularFile(out.resolve("checkpoint-12").resolve("trainer_state.json")));
    }

    @Test
    void theSummaryCountsTheTrainingRowsUsed() throws Exception {
        CliRun run = CliRun.run(TinyFixtures.trainArgs(tmp.resolve("run"), "--limit-train", "20", "--max-steps", "1"));
        assertEquals(0, run.exitCode(), run.err());
        assertEquals(20, JSON.readTree(run.lastOutLine()).get("train_rows").asInt(), "--limit-train 20 of 48 rows");
    }

    @Test
    void saveTotalLimitKeepsTheNewestCheckpoints() throws Exception {
        Path out = tmp.resolve("run");
        assertEquals(0, CliRun.run(TinyFixtures.trainArgs(out, "--save-steps", "2", "--save-total-limit", "2")).exitCode());
        try (var s = Files.list(out)) {
            assertEquals(List.of("checkpoint-10", "checkpoint-12"),
                    s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("checkpoint-")).sorted().toList());
        }
    }

    @Test
    void evaluateAndPredictReadTheTrainedDirectory() throws Exception {
        Path out = tmp.resolve("run");
        assertEquals(0, CliRun.run(TinyFixtures.trainArgs(out)).exitCode());

        CliRun eval = CliRun.run("evaluate", "--model", out.toString(), "--data", TinyFixtures.validation().toString(),
                "--device", "cpu", "--max-length", "64");
        assertEquals(0, eval.exitCode(), eval.err());
        JsonNode m = JSON.readTree(eval.lastOutLine());
        for (String key : List.of("accuracy", "macro_f1", "per_class", "confusion_matrix")) assertTrue(m.has(key), key);
        assertEquals(24, m.at("/per_class/ham/support").asInt() + m.at("/per_class/spam/support").asInt());
        assertTrue(eval.err().contains("confusion matrix"));

        CliRun predict = CliRun.withInput("Subject: free money\nSubject: lunch?\n", "predict", "--model", out.toString(),
                "--device", "cpu", "--max-length", "64");
        assertEquals(0, predict.exitCode(), predict.err());
        assertEquals(2, predict.outLines().size());
        for (String line : predict.outLines()) {
            JsonNode p = JSON.readTree(line);
            double sum = p.at("/probabilities/ham").asDouble() + p.at("/probabilities/spam").asDouble();
            assertEquals(1.0, sum, 1e-6, "probabilities sum to 1 (float softmax)");
            assertEquals(p.get("score").asDouble(), p.at("/probabilities/" + p.get("label").asText()).asDouble());
        }
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
