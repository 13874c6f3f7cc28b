/*
 * `kanna pretrain` on the tiny model (which has no MLM head) and 48 NCBI disease abstract titles
 * (tiny/pretrain: 3,427 tokens, 53 blocks of 64, 7 steps of 8 per epoch): what it writes, that the
 * token stream alone decides the run (several files, JSONL), the trainer's guarantees with dynamic
 * masking (same seed → same weights, --resume after a kill ends bitwise where an uninterrupted run
 * ends), the packings and maskers, and that `kanna train --model` fine-tunes what it wrote.
 */
package dev.kanna.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kanna.io.SafetensorsFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

class PretrainCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> HEAD = List.of("cls.predictions.transform.dense.weight",
            "cls.predictions.transform.dense.bias", "cls.predictions.transform.LayerNorm.weight",
            "cls.predictions.transform.LayerNorm.bias", "cls.predictions.bias");

    @TempDir
    Path tmp;

    static Path text(String name) {
        return TinyFixtures.root().resolve("pretrain").resolve(name);
    }

    /**
     * A short deterministic pretraining run on the tiny model: batches of 8 blocks of 64 tokens of
     * tiny/pretrain/train.txt; extra options replace these defaults.
     */
    static String[] pretrainArgs(Path out, String... extra) {
        List<String> args = new ArrayList<>(List.of("pretrain", "--out", out.toString()));
        args.addAll(List.of(extra));
        String[][] defaults = {{"--model", TinyFixtures.model().toString()}, {"--text", text("train.txt").toString()},
                {"--batch-size", "8"}, {"--lr", "1e-3"}, {"--max-length", "64"}, {"--device", "cpu"}, {"--threads", "2"}};
        for (String[] d : defaults) if (!args.contains(d[0])) args.addAll(List.of(d));
        return args.toArray(String[]::new);
    }

    private static JsonNode runOk(String... args) throws IOException {
        CliRun run = CliRun.run(args);
        assertEquals(0, run.exitCode(), run.err());
        return JSON.readTree(run.lastOutLine());
    }

    private static byte[] weights(Path dir) throws IOException {
        return Files.readAllBytes(dir.resolve("model.safetensors"));
    }

    @Test
    void pretrainWritesABertForMaskedLmDirectoryWithLogsMetricsAndCheckpoints() throws Exception {
        Path out = tmp.resolve("run");
        CliRun run = CliRun.run(pretrainArgs(out, "--validation-text", text("validation.txt").toString(),
                "--epochs", "2", "--save-steps", "4"));
        assertEquals(0, run.exitCode(), run.err());

        // The fresh head, said in one line (the decoder is the word embeddings: not named).
        List<String> fresh = run.errLines().stream().filter(l -> l.contains("no weights for")).toList();
        assertEquals(1, fresh.size(), run.err());
        assertEquals(TinyFixtures.model().resolve("model.safetensors") + ": no weights for " + String.join(", ", HEAD)
                + "; initialised fresh (normal(0, 0.02) weights, zero biases, seed 42): train before use", fresh.getFirst());

        JsonNode summary = JSON.readTree(run.lastOutLine());
        assertEquals(out.toString(), summary.get("model_dir").asText());
        assertEquals("masked-lm", summary.get("task").asText());
        assertEquals(14, summary.get("steps").asLong(), "53 blocks / batch 8 = 7 steps per epoch, 2 epochs");
        assertEquals(48, summary.get("train_rows").asInt(), "the lines of text");
        JsonNode validation = summary.get("validation");
        assertEquals(Math.exp(validation.get("loss").asDouble()), validation.get("perplexity").asDouble(), 1e-9);
        assertTrue(validation.get("masked_tokens").asInt() > 0);
        assertTrue(validation.get("accuracy").asDouble() >= 0 && validation.get("accuracy").asDouble() <= 1);
        assertEquals(validation.get("perplexity").asDouble(), summary.get("perplexity").asDouble());
        assertTrue(validation.get("loss").asDouble() < Math.log(300), "better than a uniform guess over 300 ids");

        for (String f : List.of("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json",
                "vocab.txt", "metrics.json", "training_log.jsonl", "training_curves.svg", "training_record.json")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        // Checkpoints at steps 4, 8, 12 (--save-steps) and each epoch end (7, 14).
        for (int step : new int[]{4, 7, 8, 12, 14}) {
            Path c = out.resolve("checkpoint-" + step);
            for (String f : List.of("model.safetensors", "config.json", "optimizer.safetensors", "trainer_state.json")) {
                assertTrue(Files.isRegularFile(c.resolve(f)), c + "/" + f);
            }
        }

        JsonNode config = JSON.readTree(out.resolve("config.json").toFile());
        assertEquals("BertForMaskedLM", config.get("architectures").get(0).asText());
        assertEquals(1, config.get("architectures").size());
        JsonNode base = JSON.readTree(TinyFixtures.model().resolve("config.json").toFile());
        ((ObjectNode) config).remove("architectures");
        ((ObjectNode) base).remove("architectures");
        assertEquals(base, config, "every other field, vocab_size (300) included, as the base model has it");

        // bert.* (no pooler: BertForMaskedLM has none) and the head; the decoder is tied, so not saved.
        try (SafetensorsFile saved = SafetensorsFile.open(out.resolve("model.safetensors"));
             SafetensorsFile start = SafetensorsFile.open(TinyFixtures.model().resolve("model.safetensors"))) {
            Set<String> expected = new TreeSet<>(HEAD);
            for (String name : start.names()) expected.add("bert." + name);
            assertEquals(expected, new TreeSet<>(saved.names()));
            assertArrayEquals(new long[]{300, 32}, saved.info("bert.embeddings.word_embeddings.weight").shape());
            assertArrayEquals(new long[]{300}, saved.info("cls.predictions.bias").shape());
            assertArrayEquals(new long[]{32, 32}, saved.info("cls.predictions.transform.dense.weight").shape());
            assertFalse(java.util.Arrays.equals(start.floats("embeddings.word_embeddings.weight"),
                    saved.floats("bert.embeddings.word_embeddings.weight")), "every layer trains, the embeddings too");
        }

        JsonNode metrics = JSON.readTree(out.resolve("metrics.json").toFile());
        assertEquals("loss", metrics.get("metric_for_best").asText());
        assertEquals(summary.get("best_step").asLong(), metrics.get("best_step").asLong());
        assertEquals(validation, metrics.get("validation"));
        for (String key : List.of("loss", "perplexity", "accuracy", "masked_tokens")) {
            assertTrue(metrics.get("validation").has(key), key);
        }

        List<String> log = Files.readAllLines(out.resolve("training_log.jsonl"));
        assertEquals(14 + 2, log.size(), "one line per step and per evaluation (each epoch end)");
        JsonNode eval = JSON.readTree(log.getLast());
        assertEquals("eval", eval.get("type").asText());
        assertEquals(validation.get("masked_tokens").asInt(), eval.get("masked_tokens").asInt(),
                "the validation masks are the same at every evaluation");
        assertEquals(eval.get("masked_tokens"), JSON.readTree(log.get(7)).get("masked_tokens"));

        // evaluate scores held-out text with the masks pretrain's validation drew (the same seed): the same figures.
        CliRun evaluate = CliRun.run("evaluate", "--model", out.toString(), "--data", text("validation.txt").toString(),
                "--max-length", "64", "--device", "cpu", "--threads", "2");
        assertEquals(0, evaluate.exitCode(), evaluate.err());
        JsonNode evaluated = JSON.readTree(evaluate.lastOutLine());
        assertEquals("masked-lm", evaluated.get("task").asText());
        for (String key : List.of("loss", "perplexity", "accuracy", "masked_tokens")) {
            assertEquals(validation.get(key).asDouble(), evaluated.get(key).asDouble(), 1e-9, key);
        }

        JsonNode record = JSON.readTree(out.resolve("training_record.json").toFile());
        assertEquals("masked-lm", record.get("task").asText());
        assertEquals(List.of("kanna", "pretrain", "--out"),
                List.of(record.at("/command_line/0").asText(), record.at("/command_line/1").asText(),
                        record.at("/command_line/2").asText()));
        assertEquals(text("train.txt").toAbsolutePath().toString(), record.at("/data/train/path").asText());
    }

    @Test
    void resumeAfterAKillInTheSecondEpochEndsBitwiseWhereAnUninterruptedRunEnds() throws Exception {
        // The resumed run has drawn no masks before: it must draw epoch 1's (of blocks 8 on) as the whole run did.
        Path whole = tmp.resolve("whole"), killed = tmp.resolve("killed");
        String[] extra = {"--validation-text", text("validation.txt").toString(), "--epochs", "2", "--save-steps", "4"};
        runOk(pretrainArgs(whole, extra));

        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                "-Dkanna.faultInjection.haltAfterStep=8", Main.class.getName()));
        command.addAll(List.of(pretrainArgs(killed, extra)));
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("killed.log").toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the pretraining process did not stop");
        assertEquals(137, p.exitValue(), Files.readString(tmp.resolve("killed.log")));
        JsonNode state = JSON.readTree(killed.resolve("checkpoint-8").resolve("trainer_state.json").toFile());
        assertEquals(1, state.get("epoch").asInt(), "killed in the second epoch");
        assertEquals(1, state.get("batchInEpoch").asInt());
        assertFalse(Files.exists(killed.resolve("model.safetensors")), "the killed run never finished");

        String[] resume = java.util.Arrays.copyOf(extra, extra.length + 1);
        resume[extra.length] = "--resume";
        CliRun resumed = CliRun.run(pretrainArgs(killed, resume));
        assertEquals(0, resumed.exitCode(), resumed.err());
        assertTrue(resumed.err().contains("resuming from"), resumed.err());
        assertArrayEquals(weights(whole), weights(killed));
        assertArrayEquals(Files.readAllBytes(whole.resolve("checkpoint-14").resolve("optimizer.safetensors")),
                Files.readAllBytes(killed.resolve("checkpoint-14").resolve("optimizer.safetensors")));
        assertEquals(JSON.readTree(whole.resolve("metrics.json").toFile()), JSON.readTree(killed.resolve("metrics.json").toFile()));
    }

    @Test
    void trainingMasksAreDrawnAnewEachEpochAndValidationMasksAreFixed() throws Exception {
        // All 53 blocks in one batch, no dropout, a learning rate too small to move any float32 weight: both
        // epochs' steps see the same model and the same sequences, so only their masks can tell them apart.
        Path out = tmp.resolve("run");
        runOk(pretrainArgs(out, "--validation-text", text("validation.txt").toString(), "--epochs", "2",
                "--batch-size", "64", "--lr", "1e-30", "--no-dropout"));
        List<JsonNode> steps = new ArrayList<>(), evals = new ArrayList<>();
        for (String line : Files.readAllLines(out.resolve("training_log.jsonl"))) {
            JsonNode entry = JSON.readTree(line);
            (entry.get("type").asText().equals("eval") ? evals : steps).add(entry);
        }
        assertEquals(2, steps.size());
        assertEquals(2, evals.size());
        double first = steps.get(0).get("loss").asDouble(), second = steps.get(1).get("loss").asDouble();
        assertTrue(Math.abs(first - second) > 1e-3, "epoch 2 masks other tokens: " + first + " vs " + second);
        assertEquals(evals.get(0).get("loss").asDouble(), evals.get(1).get("loss").asDouble(), 0.0,
                "the validation masks are the same at every evaluation");
        assertEquals(evals.get(0).get("masked_tokens"), evals.get(1).get("masked_tokens"));
    }

    @Test
    void theTokenStreamAloneDecidesTheRun() throws Exception {
        Path a = tmp.resolve("a");
        runOk(pretrainArgs(a, "--epochs", "1"));

        Path again = tmp.resolve("again");
        runOk(pretrainArgs(again, "--epochs", "1"));
        assertArrayEquals(weights(a), weights(again), "the same seed: bitwise the same weights");

        // Blocks concatenate the lines in order: two files holding the lines are the same stream.
        List<String> lines = Files.readAllLines(text("train.txt"));
        Path first = Files.write(tmp.resolve("first.txt"), lines.subList(0, 20));
        Path second = Files.write(tmp.resolve("second.txt"), lines.subList(20, lines.size()));
        Path split = tmp.resolve("split");
        JsonNode summary = runOk(pretrainArgs(split, "--epochs", "1", "--text", first.toString(), "--text", second.toString()));
        assertEquals(48, summary.get("train_rows").asInt());
        assertArrayEquals(weights(a), weights(split), "two --text files: the lines of one");

        Path jsonl = tmp.resolve("jsonl");
        runOk(pretrainArgs(jsonl, "--epochs", "1", "--text", text("train.jsonl").toString(), "--text-field", "text"));
        assertArrayEquals(weights(a), weights(jsonl), "JSONL rows with the same texts");

        Path seed = tmp.resolve("seed");
        runOk(pretrainArgs(seed, "--epochs", "1", "--seed", "7"));
        assertFalse(java.util.Arrays.equals(weights(a), weights(seed)), "another seed, another run");
    }

    @Test
    void linePackingAndWholeWordMasking() throws Exception {
        Path blocks = tmp.resolve("blocks"), wholeWord = tmp.resolve("whole-word"), lines = tmp.resolve("lines");
        assertEquals(7, runOk(pretrainArgs(blocks, "--epochs", "1")).get("steps").asInt());
        assertEquals(7, runOk(pretrainArgs(wholeWord, "--epochs", "1", "--whole-word-masking")).get("steps").asInt());
        assertFalse(java.util.Arrays.equals(weights(blocks), weights(wholeWord)), "whole words: other masks");

        JsonNode summary = runOk(pretrainArgs(lines, "--epochs", "1", "--packing", "lines",
                "--whole-word-masking", "--validation-text", text("validation.txt").toString()));
        assertEquals(6, summary.get("steps").asInt(), "one sequence per line: 48 lines / batch 8");
        assertTrue(summary.at("/validation/masked_tokens").asInt() > 0);
        assertEquals("BertForMaskedLM", JSON.readTree(lines.resolve("config.json").toFile()).at("/architectures/0").asText());
    }

    @Test
    void trainFineTunesAPretrainedDirectoryWithAFreshHead() throws Exception {
        Path pretrained = TinyFixtures.root().resolve("trained-mlm"), out = tmp.resolve("classifier");
        CliRun run = CliRun.run("train", "--model", pretrained.toString(), "--train", TinyFixtures.train().toString(),
                "--out", out.toString(), "--max-steps", "2", "--batch-size", "8", "--max-length", "64", "--device", "cpu",
                "--threads", "2");
        assertEquals(0, run.exitCode(), run.err());
        assertEquals(1, run.errLines().stream().filter(l -> l.contains("BertForMaskedLM")).count(), run.err());
        assertTrue(run.errLines().contains(pretrained + " was trained as BertForMaskedLM; its encoder starts this"
                + " sequence-classification model, with a fresh head"), run.err());
        assertTrue(run.errLines().contains(pretrained.resolve("model.safetensors") + ": no weights for"
                + " bert.pooler.dense.weight, bert.pooler.dense.bias, classifier.weight, classifier.bias; initialised fresh"
                + " (normal(0, 0.02) weights, zero biases, seed 42): train before use"), run.err());

        assertEquals("BertForSequenceClassification",
                JSON.readTree(out.resolve("config.json").toFile()).at("/architectures/0").asText());
        try (SafetensorsFile saved = SafetensorsFile.open(out.resolve("model.safetensors"));
             SafetensorsFile mlm = SafetensorsFile.open(pretrained.resolve("model.safetensors"))) {
            assertTrue(saved.names().stream().noneMatch(n -> n.startsWith("cls.")), "the MLM head is dropped");
            assertTrue(saved.contains("classifier.weight") && saved.contains("bert.pooler.dense.weight"));
            // The embeddings stay frozen under train's default (--unfreeze-top 2): the pretrained ones, exactly.
            assertArrayEquals(mlm.floats("bert.embeddings.word_embeddings.weight"),
                    saved.floats("bert.embeddings.word_embeddings.weight"));
        }
    }

    @Test
    void helpPrintsWithoutFormatWarnings() {
        // picocli formats descriptions with String.format: a bare % makes it warn on System.err at every use.
        java.io.PrintStream saved = System.err;
        var captured = new java.io.ByteArrayOutputStream();
        CliRun help;
        try {
            System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
            help = CliRun.run("pretrain", "--help");
        } finally {
            System.setErr(saved);
        }
        assertEquals(0, help.exitCode());
        assertTrue(help.out().replaceAll("\\s+", " ").contains("80% become [MASK], 10% a random token, 10% stay"), help.out());
        assertTrue(help.out().contains("--cache-frozen"), help.out());
        assertEquals("", captured.toString(java.nio.charset.StandardCharsets.UTF_8) + help.err());
    }

    @Test
    void cacheFrozenDoesNotApplyAndTrainsWithoutTheCache() throws Exception {
        Path plain = tmp.resolve("plain"), cached = tmp.resolve("cached");
        runOk(pretrainArgs(plain, "--max-steps", "3", "--unfreeze-top", "1"));
        CliRun run = CliRun.run(pretrainArgs(cached, "--max-steps", "3", "--unfreeze-top", "1", "--cache-frozen"));
        assertEquals(0, run.exitCode(), run.err());
        assertEquals(List.of("--cache-frozen does not apply: the inputs change every epoch (dynamic masking); training"
                + " without the cache"), run.errLines().stream().filter(l -> l.contains("--cache-frozen")).toList());
        assertArrayEquals(weights(plain), weights(cached));
    }
}
