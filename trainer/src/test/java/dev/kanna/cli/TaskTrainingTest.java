/*
 * `kanna train --task` for token classification, multi-label and regression on the tiny model and
 * the task data of tiny/ner, tiny/multilabel and tiny/regression (tools/reference/task_trained_fixtures.py):
 * what train writes (summary, config.json, metrics.json), what evaluate and predict read back from
 * the trained directory, and for token classification the trainer's guarantees (same seed → same
 * weights, --resume after a kill ends bitwise where an uninterrupted run ends, --cache-frozen
 * validates as the whole model does).
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
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

class TaskTrainingTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> TAGS = List.of("B-Disease", "B-Gene", "I-Disease", "I-Gene", "O");

    @TempDir
    Path tmp;

    static Path data(String path) {
        return TinyFixtures.root().resolve(path);
    }

    /** A short deterministic run of a task on the tiny model (2 epochs, batches of 8, top layer trains). */
    static String[] taskArgs(String task, Path train, Path validation, Path out, String... extra) {
        List<String> args = new ArrayList<>(List.of("train", "--task", task, "--model", TinyFixtures.model().toString(),
                "--train", train.toString(), "--validation", validation.toString(), "--out", out.toString(),
                "--epochs", "2", "--batch-size", "8", "--lr", "1e-3", "--max-length", "64", "--unfreeze-top", "1",
                "--device", "cpu", "--threads", "2"));
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }

    static String[] nerArgs(Path out, String... extra) {
        return taskArgs("token-classification", data("ner/train.conll"), data("ner/validation.conll"), out, extra);
    }

    private static JsonNode trainOk(String[] args) {
        CliRun run = CliRun.run(args);
        assertEquals(0, run.exitCode(), run.err());
        try {
            return JSON.readTree(run.lastOutLine());
        } catch (IOException e) {
            throw new AssertionError(run.out(), e);
        }
    }

    private static JsonNode evaluateOk(Path model, Path data) throws IOException {
        CliRun eval = CliRun.run("evaluate", "--model", model.toString(), "--data", data.toString(), "--device", "cpu",
                "--threads", "2", "--max-length", "64");
        assertEquals(0, eval.exitCode(), eval.err());
        return JSON.readTree(eval.lastOutLine());
    }

    private static List<JsonNode> predictOk(Path model, List<String> lines) throws IOException {
        CliRun predict = CliRun.withInput(String.join("\n", lines) + "\n", "predict", "--model", model.toString(),
                "--device", "cpu", "--threads", "2", "--max-length", "64");
        assertEquals(0, predict.exitCode(), predict.err());
        assertEquals(lines.size(), predict.outLines().size(), predict.out());
        List<JsonNode> out = new ArrayList<>();
        for (String line : predict.outLines()) out.add(JSON.readTree(line));
        return out;
    }

    /** The summary leads with the task and the metric that picked the model, as in metrics.json. */
    private static void assertSummary(JsonNode summary, Path out, String task, String metric, int steps, int rows)
            throws IOException {
        assertEquals(task, summary.get("task").asText());
        assertEquals(steps, summary.get("steps").asLong());
        assertEquals(rows, summary.get("train_rows").asInt());
        assertTrue(summary.get(metric).isNumber(), metric + " in " + summary);
        assertEquals(summary.get(metric).asDouble(), summary.at("/validation/" + metric).asDouble());
        JsonNode metrics = JSON.readTree(out.resolve("metrics.json").toFile());
        assertEquals(metric, metrics.get("metric_for_best").asText());
        assertEquals(summary.get("best_step").asLong(), metrics.get("best_step").asLong());
        assertEquals(summary.get("validation"), metrics.get("validation"));
    }

    /** The figures evaluate computes on the validation data are those train saved for the best model. */
    private static void assertSameFigures(JsonNode saved, JsonNode evaluated, List<String> names) {
        for (String name : names) assertEquals(saved.get(name).asDouble(), evaluated.get(name).asDouble(), 0.0, name);
        assertEquals(saved.get("loss").asDouble(), evaluated.get("loss").asDouble(), 1e-12, "loss");
    }

    private static Map<String, Integer> entityCounts(Path conll) throws IOException {
        Map<String, Integer> counts = new TreeMap<>();
        for (String line : Files.readAllLines(conll)) {
            String[] cols = line.split("\t");
            if (cols.length == 2 && cols[1].startsWith("B-")) counts.merge(cols[1].substring(2), 1, Integer::sum);
        }
        return counts;
    }

    @Test
    void tokenClassificationTrainsEvaluatesAndPredictsEntitiesWithOffsets() throws Exception {
        Path out = tmp.resolve("ner");
        JsonNode summary = trainOk(nerArgs(out));
        // 40 sentences; 4 have more than 62 pieces and become 2 windows each: 44 windows / 8 = 6 steps per epoch.
        assertSummary(summary, out, "token-classification", "f1", 12, 40);

        JsonNode config = JSON.readTree(out.resolve("config.json").toFile());
        assertEquals("BertForTokenClassification", config.get("architectures").get(0).asText());
        assertEquals(1, config.get("architectures").size());
        assertTrue(config.path("problem_type").isMissingNode() || config.get("problem_type").isNull(),
                "transformers' token classification has no problem_type: " + config.get("problem_type"));
        for (int i = 0; i < TAGS.size(); i++) {
            assertEquals(TAGS.get(i), config.at("/id2label/" + i).asText());
            assertEquals(i, config.at("/label2id/" + TAGS.get(i)).asInt());
        }
        assertEquals(TAGS.size(), config.get("id2label").size());

        Path validation = data("ner/validation.conll");
        JsonNode eval = evaluateOk(out, validation);
        assertEquals("token-classification", eval.get("task").asText());
        assertEquals(12, eval.get("rows").asInt(), "sentences, not windows");
        for (String name : List.of("f1", "precision", "recall", "accuracy")) {
            double v = eval.get(name).asDouble();
            assertTrue(v >= 0 && v <= 1, name + " " + v);
        }
        Map<String, Integer> gold = entityCounts(validation);
        assertEquals(Map.of("Disease", 12, "Gene", 8), gold);
        assertEquals(20, eval.get("gold_entities").asInt());
        for (var type : gold.entrySet()) {
            assertEquals(type.getValue(), eval.at("/per_type/" + type.getKey() + "/support").asInt(), type.getKey());
        }
        assertSameFigures(JSON.readTree(out.resolve("metrics.json").toFile()).get("validation"), eval,
                List.of("f1", "precision", "recall", "accuracy", "macro_f1", "predicted_entities", "correct_entities"));

        List<String> lines = List.of(
                "Germline mutations in BRCA1 cause hereditary breast cancer.",
                "The APC protein (adenomatous polyposis coli) is lost in colorectal tumours!",
                // > 62 pieces: predict --max-length 64 splits it into windows, the offsets stay in the line.
                "Mutations of the ATM gene cause ataxia-telangiectasia, a recessive disorder with cerebellar"
                        + " degeneration, immunodeficiency and a high risk of cancer.",
                "",
                "ok");
        List<JsonNode> predictions = predictOk(out, lines);
        int entities = 0;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            JsonNode p = predictions.get(i);
            assertEquals(List.of("entities"), fieldNames(p));
            int previousEnd = 0;
            for (JsonNode e : p.get("entities")) {
                entities++;
                // offsets count code points; these lines are all in the BMP, so they index the String as they are
                int start = e.get("start").asInt(), end = e.get("end").asInt();
                assertTrue(previousEnd <= start && start < end && end <= line.length(), e + " in \"" + line + "\"");
                assertEquals(line.substring(start, end), e.get("text").asText());
                // Words as BERT's pre-tokenizer splits them: runs of letters and digits, each punctuation mark alone.
                assertTrue(start == 0 || !alnum(line, start - 1) || !alnum(line, start), "starts at a word: " + e);
                assertTrue(end == line.length() || !alnum(line, end) || !alnum(line, end - 1), "ends at a word: " + e);
                assertTrue(List.of("Disease", "Gene").contains(e.get("label").asText()), e.toString());
                double score = e.get("score").asDouble();
                assertTrue(score > 0 && score <= 1, e.toString());
                previousEnd = end;
            }
        }
        assertTrue(entities > 0, "the trained model finds some entity: " + predictions);
        assertEquals(0, predictions.get(3).get("entities").size(), "an empty line has no entities");
    }

    @Test
    void sameSeedGivesBitwiseIdenticalTokenClassifiersFromCoNllOrJsonl() throws Exception {
        Path a = tmp.resolve("a"), b = tmp.resolve("b"), jsonl = tmp.resolve("jsonl");
        trainOk(nerArgs(a));
        trainOk(nerArgs(b));
        trainOk(taskArgs("token-classification", data("ner/train.jsonl"), data("ner/validation.conll"), jsonl));
        byte[] weights = Files.readAllBytes(a.resolve("model.safetensors"));
        assertArrayEquals(weights, Files.readAllBytes(b.resolve("model.safetensors")));
        assertArrayEquals(weights, Files.readAllBytes(jsonl.resolve("model.safetensors")),
                "train.jsonl holds the sentences of train.conll");
    }

    @Test
    void tokenClassificationResumeAfterAKillEndsBitwiseWhereAnUninterruptedRunEnds() throws Exception {
        Path whole = tmp.resolve("whole"), killed = tmp.resolve("killed");
        trainOk(nerArgs(whole, "--save-steps", "4"));

        // A separate JVM that dies abruptly (Runtime.halt, like kill -9) right after checkpoint-4, mid-epoch.
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                "-Dkanna.faultInjection.haltAfterStep=4", Main.class.getName()));
        command.addAll(List.of(nerArgs(killed, "--save-steps", "4")));
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("killed.log").toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the training process did not stop");
        assertEquals(137, p.exitValue(), Files.readString(tmp.resolve("killed.log")));
        assertTrue(Files.isDirectory(killed.resolve("checkpoint-4")));
        assertFalse(Files.exists(killed.resolve("model.safetensors")), "the killed run never finished");

        CliRun resumed = CliRun.run(nerArgs(killed, "--save-steps", "4", "--resume"));
        assertEquals(0, resumed.exitCode(), resumed.err());
        assertTrue(resumed.err().contains("resuming from"), resumed.err());
        assertArrayEquals(Files.readAllBytes(whole.resolve("model.safetensors")),
                Files.readAllBytes(killed.resolve("model.safetensors")));
        assertArrayEquals(Files.readAllBytes(whole.resolve("checkpoint-12").resolve("optimizer.safetensors")),
                Files.readAllBytes(killed.resolve("checkpoint-12").resolve("optimizer.safetensors")));
        assertEquals(JSON.readTree(whole.resolve("metrics.json").toFile()),
                JSON.readTree(killed.resolve("metrics.json").toFile()));
    }

    @Test
    void tokenClassificationWithCacheFrozenValidatesAsTheWholeModelAtDropoutOff() throws Exception {
        Path cached = tmp.resolve("cached"), whole = tmp.resolve("whole");
        CliRun run = CliRun.run(nerArgs(cached, "--cache-frozen", "--no-dropout"));
        assertEquals(0, run.exitCode(), run.err());
        // The cache holds windows: 44 training (40 sentences) and 15 validation (12 sentences).
        assertTrue(run.err().contains("for 44 training and 15 validation examples"), run.err());
        trainOk(nerArgs(whole, "--no-dropout"));

        List<JsonNode> a = evalLogs(cached), b = evalLogs(whole);
        assertEquals(2, a.size());
        assertEquals(b.size(), a.size());
        for (int i = 0; i < a.size(); i++) {
            JsonNode x = a.get(i), y = b.get(i);
            assertEquals(fieldNames(y), fieldNames(x));
            for (String name : fieldNames(x)) {
                if (name.equals("loss")) {
                    // The cache ran layer 0 over length-sorted batches of 64, the whole model over batches of 8:
                    // differently padded attention sums, fp32 rounding (~1e-7 per state) carried through training.
                    assertEquals(y.get(name).asDouble(), x.get(name).asDouble(), 1e-6, "loss at eval " + i);
                } else {
                    assertEquals(y.get(name), x.get(name), name + " at eval " + i);
                }
            }
        }
    }

    private static boolean alnum(String line, int at) {
        return Character.isLetterOrDigit(line.charAt(at));
    }

    private static List<JsonNode> evalLogs(Path out) throws IOException {
        List<JsonNode> evals = new ArrayList<>();
        for (String line : Files.readAllLines(out.resolve("training_log.jsonl"))) {
            JsonNode n = JSON.readTree(line);
            if (n.get("type").asText().equals("eval")) evals.add(n);
        }
        return evals;
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) names.add(it.next());
        return names;
    }

    @Test
    void multiLabelTrainsEvaluatesAndPredictsLabelSets() throws Exception {
        Path out = tmp.resolve("multi");
        JsonNode summary = trainOk(taskArgs("multi-label", data("multilabel/train.jsonl"),
                data("multilabel/validation.jsonl"), out));
        assertSummary(summary, out, "multi-label", "micro_f1", 12, 48);

        JsonNode config = JSON.readTree(out.resolve("config.json").toFile());
        assertEquals("BertForSequenceClassification", config.get("architectures").get(0).asText());
        assertEquals("multi_label_classification", config.get("problem_type").asText());
        List<String> labels = List.of("money", "reply", "spam");
        for (int i = 0; i < labels.size(); i++) assertEquals(labels.get(i), config.at("/id2label/" + i).asText());
        assertEquals(labels.size(), config.get("id2label").size());

        JsonNode eval = evaluateOk(out, data("multilabel/validation.jsonl"));
        assertEquals("multi-label", eval.get("task").asText());
        assertEquals(24, eval.get("rows").asInt());
        for (String name : List.of("micro_f1", "macro_f1", "subset_accuracy")) {
            double v = eval.get(name).asDouble();
            assertTrue(v >= 0 && v <= 1, name + " " + v);
        }
        assertEquals(labels, fieldNames(eval.get("per_label")));
        assertEquals(3 + 6 + 12, eval.at("/per_label/money/support").asInt() + eval.at("/per_label/reply/support").asInt()
                + eval.at("/per_label/spam/support").asInt(), "label occurrences in validation.jsonl");
        assertSameFigures(JSON.readTree(out.resolve("metrics.json").toFile()).get("validation"), eval,
                List.of("micro_f1", "macro_f1", "subset_accuracy", "micro_precision", "micro_recall"));

        List<JsonNode> predictions = predictOk(out, List.of("Subject: Re: lunch tomorrow?",
                "Subject: FREE money!!! Click here to claim your $1000 prize", ""));
        for (JsonNode p : predictions) {
            assertEquals(List.of("labels", "probabilities"), fieldNames(p));
            assertEquals(labels, fieldNames(p.get("probabilities")));
            List<String> chosen = new ArrayList<>();
            for (String label : labels) {
                double prob = p.at("/probabilities/" + label).asDouble();
                assertTrue(prob >= 0 && prob <= 1, p.toString());
                if (prob >= 0.5) chosen.add(label);
            }
            List<String> given = new ArrayList<>();
            p.get("labels").forEach(l -> given.add(l.asText()));
            assertEquals(chosen, given, "the labels at probability ≥ 0.5, in label order");
        }
    }

    @Test
    void regressionTrainsEvaluatesAndPredictsValues() throws Exception {
        Path out = tmp.resolve("reg");
        JsonNode summary = trainOk(taskArgs("regression", data("regression/train.jsonl"),
                data("regression/validation.jsonl"), out));
        assertSummary(summary, out, "regression", "mse", 12, 48);

        JsonNode config = JSON.readTree(out.resolve("config.json").toFile());
        assertEquals("BertForSequenceClassification", config.get("architectures").get(0).asText());
        assertEquals("regression", config.get("problem_type").asText());
        assertEquals("LABEL_0", config.at("/id2label/0").asText());
        assertEquals(1, config.get("id2label").size());

        JsonNode eval = evaluateOk(out, data("regression/validation.jsonl"));
        assertEquals("regression", eval.get("task").asText());
        assertEquals(24, eval.get("rows").asInt());
        assertEquals(eval.get("mse").asDouble(), eval.get("loss").asDouble(), 0.0, "the loss is the MSE");
        double pearson = eval.get("pearson").asDouble();
        assertTrue(eval.get("mse").asDouble() >= 0 && pearson >= -1 && pearson <= 1, eval.toString());
        assertSameFigures(JSON.readTree(out.resolve("metrics.json").toFile()).get("validation"), eval,
                List.of("mse", "mae", "pearson", "spearman"));

        for (JsonNode p : predictOk(out, List.of("Subject: Re: the build", "Subject: WIN BIG $$$ now", "x"))) {
            assertEquals(List.of("value"), fieldNames(p));
            assertTrue(p.get("value").isNumber() && Double.isFinite(p.get("value").asDouble()), p.toString());
        }
    }
}
