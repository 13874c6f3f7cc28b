/*
 * `kanna ensemble` and ensemble directories in evaluate, predict and logits, on the tiny trained
 * models of each task. Members that differ are made from a trained model by shifting its classifier
 * bias (so they share labels and tokenizer but not their outputs). What an ensemble should output is
 * computed here from each member's own predictions (predict, logits), never by the ensemble code: one
 * member equals that member; a mean ensemble's probabilities are the weighted mean of its members'
 * (per token for token classification); a vote follows the weighted majority; evaluate reports each
 * member as it evaluates alone. Members that cannot form an ensemble are one line naming the member,
 * a non-zero exit, and nothing written.
 */
package dev.kanna.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kanna.io.SafetensorsFile;
import dev.kanna.io.SafetensorsWriter;
import dev.kanna.io.TensorInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class EnsembleCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    // Probabilities come from float outputs (≈ 6e-8 relative) combined in double: 1e-6 absolute.
    private static final double TOLERANCE = 1e-6;

    @TempDir
    Path tmp;

    private static Path tiny(String path) {
        return TinyFixtures.root().resolve(path);
    }

    /** A copy of a trained model whose classifier bias is shifted by shift (one value per label). */
    private Path shifted(String trained, String name, float... shift) throws IOException {
        Path from = tiny(trained), to = tmp.resolve(name);
        Files.createDirectories(to);
        try (var files = Files.list(from)) {
            for (Path f : files.toList()) {
                if (!f.getFileName().toString().equals("model.safetensors")) Files.copy(f, to.resolve(f.getFileName()));
            }
        }
        SafetensorsWriter writer = new SafetensorsWriter();
        try (SafetensorsFile in = SafetensorsFile.open(from.resolve("model.safetensors"))) {
            for (TensorInfo t : in.infos()) {
                float[] values = in.floats(t.name());
                if (t.name().equals("classifier.bias")) for (int i = 0; i < values.length; i++) values[i] += shift[i];
                writer.addF32(t.name(), values, t.shape());
            }
        }
        writer.write(to.resolve("model.safetensors"));
        return to;
    }

    /** Gives a member the metrics.json train writes, with a validation score. */
    private static Path scored(Path member, String metric, double score) throws IOException {
        Files.writeString(member.resolve("metrics.json"), "{\"best_step\": 4, \"metric_for_best\": \"" + metric
                + "\", \"validation\": {\"loss\": 0.7, \"" + metric + "\": " + score + "}}");
        return member;
    }

    private static CliRun ok(CliRun run) {
        assertEquals(0, run.exitCode(), run.err());
        return run;
    }

    private Path ensemble(String name, Object... args) throws IOException {
        Path out = tmp.resolve(name);
        List<String> all = new ArrayList<>(List.of("ensemble", "--out", out.toString()));
        for (Object a : args) all.add(a.toString());
        ok(CliRun.run(all.toArray(String[]::new)));
        return out;
    }

    private static List<JsonNode> predict(Path model, List<String> lines) throws IOException {
        CliRun run = ok(CliRun.withInput(String.join("\n", lines) + "\n", "predict", "--model", model.toString(),
                "--device", "cpu", "--threads", "2", "--max-length", "64"));
        List<JsonNode> out = new ArrayList<>();
        for (String line : run.outLines()) out.add(JSON.readTree(line));
        assertEquals(lines.size(), out.size(), run.out());
        return out;
    }

    private static List<JsonNode> logits(Path model, List<String> lines) throws IOException {
        CliRun run = ok(CliRun.withInput(String.join("\n", lines) + "\n", "logits", "--model", model.toString(),
                "--device", "cpu", "--threads", "2", "--max-length", "64"));
        List<JsonNode> out = new ArrayList<>();
        for (String line : run.outLines()) out.add(JSON.readTree(line));
        return out;
    }

    private static JsonNode evaluate(Path model, Path data) throws IOException {
        return JSON.readTree(ok(CliRun.run("evaluate", "--model", model.toString(), "--data", data.toString(),
                "--device", "cpu", "--threads", "2", "--max-length", "64")).lastOutLine());
    }

    /** The texts of the first rows of a JSONL file, one line each. */
    private static List<String> texts(String jsonl, int n) throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(tiny(jsonl)).subList(0, n)) {
            out.add(JSON.readTree(line).get("text").asText().replace('\n', ' '));
        }
        return out;
    }

    /** The first sentences of a CoNLL file, words joined by spaces. */
    private static List<String> sentences(String conll, int n) throws IOException {
        List<String> out = new ArrayList<>();
        StringBuilder sentence = new StringBuilder();
        for (String line : Files.readAllLines(tiny(conll))) {
            if (line.isBlank()) {
                if (!sentence.isEmpty()) out.add(sentence.toString().strip());
                sentence.setLength(0);
                if (out.size() == n) break;
            } else {
                sentence.append(line.split("\t")[0]).append(' ');
            }
        }
        return out;
    }

    private static double probability(JsonNode prediction, String label) {
        return prediction.get("probabilities").get(label).asDouble();
    }

    @Test
    void anEnsembleOfOneMemberIsThatMember() throws IOException {
        record Case(String trained, String data, List<String> inputs) {
        }
        List<Case> cases = List.of(
                new Case("trained", "validation.jsonl", texts("validation.jsonl", 6)),
                new Case("trained-token", "ner/validation.conll", sentences("ner/validation.conll", 4)),
                new Case("trained-multilabel", "multilabel/validation.jsonl", texts("multilabel/validation.jsonl", 6)),
                new Case("trained-regression", "regression/validation.jsonl", texts("regression/validation.jsonl", 6)));
        for (Case c : cases) {
            Path member = tiny(c.trained());
            Path one = ensemble("one-" + c.trained(), "--model", member, "--weights", "equal");
            List<JsonNode> alone = predict(member, c.inputs()), together = predict(one, c.inputs());
            for (int i = 0; i < alone.size(); i++) assertSamePrediction(alone.get(i), together.get(i), c.trained() + " input " + i);
            JsonNode a = evaluate(member, tiny(c.data())), e = evaluate(one, tiny(c.data()));
            for (Iterator<String> names = a.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (name.equals("seconds")) continue;
                if (a.get(name).isNumber()) assertEquals(a.get(name).asDouble(), e.get(name).asDouble(), TOLERANCE, c.trained() + " " + name);
                else assertEquals(a.get(name), e.get(name), c.trained() + " " + name);
            }
            assertEquals(1, e.get("members").size());
            assertEquals(a.get("loss").asDouble(), e.at("/members/0/loss").asDouble(), 0.0, "the member as it evaluates alone");
        }
    }

    /** Labels, entities and values alike; probabilities and scores within the tolerance. */
    private static void assertSamePrediction(JsonNode expected, JsonNode actual, String what) {
        assertEquals(fieldNames(expected), fieldNames(actual), what);
        for (Iterator<Map.Entry<String, JsonNode>> it = expected.fields(); it.hasNext(); ) {
            var field = it.next();
            JsonNode other = actual.get(field.getKey());
            if (field.getValue().isNumber()) {
                assertEquals(field.getValue().asDouble(), other.asDouble(), TOLERANCE, what + " " + field.getKey());
            } else if (field.getValue().isContainerNode() && field.getValue().size() > 0) {
                if (field.getValue().isArray()) {
                    assertEquals(field.getValue().size(), other.size(), what + " " + field.getKey());
                    for (int i = 0; i < field.getValue().size(); i++) {
                        JsonNode x = field.getValue().get(i), y = other.get(i);
                        if (x.isContainerNode()) assertSamePrediction(x, y, what + " " + field.getKey() + "[" + i + "]");
                        else assertEquals(x, y, what + " " + field.getKey() + "[" + i + "]");
                    }
                } else {
                    assertSamePrediction(field.getValue(), other, what + " " + field.getKey());
                }
            } else {
                assertEquals(field.getValue(), other, what + " " + field.getKey());
            }
        }
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void aMeanEnsemblesProbabilitiesAreTheWeightedMeanOfItsMembers() throws IOException {
        Path a = scored(shifted("trained", "a", 0f, 0f), "macro_f1", 0.5);
        Path b = scored(shifted("trained", "b", 1.5f, -1.5f), "macro_f1", 0.8);
        Path c = scored(shifted("trained", "c", -1f, 1f), "macro_f1", 0.7);
        Path abc = ensemble("abc", "--model", a, "--model", b, "--model", c);   // --weights validation, --method mean

        JsonNode manifest = JSON.readTree(abc.resolve("ensemble.json").toFile());
        double[] weights = {0.5 / 2.0, 0.8 / 2.0, 0.7 / 2.0};
        assertEquals("mean", manifest.get("method").asText());
        assertEquals("macro_f1", manifest.get("metric").asText());
        for (int m = 0; m < 3; m++) {
            assertEquals(weights[m], manifest.at("/members/" + m + "/weight").asDouble(), 1e-12);
            assertEquals("../" + "abc".charAt(m), manifest.at("/members/" + m + "/path").asText(), "relative to the ensemble");
        }

        List<String> inputs = texts("validation.jsonl", 8);
        List<List<JsonNode>> members = List.of(predict(a, inputs), predict(b, inputs), predict(c, inputs));
        List<JsonNode> together = predict(abc, inputs);
        for (int i = 0; i < inputs.size(); i++) {
            double ham = 0, spam = 0;
            for (int m = 0; m < 3; m++) {
                ham += weights[m] * probability(members.get(m).get(i), "ham");
                spam += weights[m] * probability(members.get(m).get(i), "spam");
            }
            assertEquals(ham, probability(together.get(i), "ham"), TOLERANCE, "input " + i);
            assertEquals(spam, probability(together.get(i), "spam"), TOLERANCE, "input " + i);
            assertEquals(spam > ham ? "spam" : "ham", together.get(i).get("label").asText());
            assertNotEquals(probability(members.get(1).get(i), "ham"), probability(members.get(2).get(i), "ham"), 0.1,
                    "the members differ");
        }

        JsonNode eval = evaluate(abc, tiny("validation.jsonl"));
        assertEquals(3, eval.get("members").size());
        for (int m = 0; m < 3; m++) {
            JsonNode alone = evaluate(List.of(a, b, c).get(m), tiny("validation.jsonl"));
            JsonNode beside = eval.get("members").get(m);
            assertEquals(weights[m], beside.get("weight").asDouble(), 1e-12);
            for (String name : List.of("loss", "accuracy", "macro_f1")) {
                assertEquals(alone.get(name).asDouble(), beside.get(name).asDouble(), 1e-9, "member " + m + " " + name);
            }
        }
    }

    @Test
    void multiLabelAndRegressionMeansAreTheMeansOfTheMembers() throws IOException {
        List<String> inputs = texts("multilabel/validation.jsonl", 6);
        Path p = shifted("trained-multilabel", "p", 2f, -1f, 0.5f), q = shifted("trained-multilabel", "q", -2f, 1f, 0f);
        Path pq = ensemble("pq", "--model", p, "--model", q, "--weights", "equal");
        List<JsonNode> first = predict(p, inputs), second = predict(q, inputs), together = predict(pq, inputs);
        for (int i = 0; i < inputs.size(); i++) {
            List<String> chosen = new ArrayList<>();
            for (String label : List.of("money", "reply", "spam")) {
                double mean = (probability(first.get(i), label) + probability(second.get(i), label)) / 2;
                assertEquals(mean, probability(together.get(i), label), TOLERANCE, "input " + i + " " + label);
                if (mean >= 0.5) chosen.add(label);
            }
            assertEquals(chosen, JSON.convertValue(together.get(i).get("labels"), List.class), "input " + i);
        }

        Path r = scored(shifted("trained-regression", "r", 0f), "mse", 0.5);
        Path s = scored(shifted("trained-regression", "s", 3f), "mse", 2.0);
        Path rs = ensemble("rs", "--model", r, "--model", s);
        double wr = (1 / 0.5) / (1 / 0.5 + 1 / 2.0), ws = (1 / 2.0) / (1 / 0.5 + 1 / 2.0);   // mse: lower is better
        List<JsonNode> vr = predict(r, inputs), vs = predict(s, inputs), v = predict(rs, inputs);
        for (int i = 0; i < inputs.size(); i++) {
            assertEquals(wr * vr.get(i).get("value").asDouble() + ws * vs.get(i).get("value").asDouble(),
                    v.get(i).get("value").asDouble(), 1e-5, "input " + i);
        }
    }

    @Test
    void tokenClassificationAveragesPerTokenProbabilities() throws IOException {
        List<String> inputs = sentences("ner/validation.conll", 3);
        Path x = shifted("trained-token", "x", 0f, 0f, 0f, 0f, 0f), y = shifted("trained-token", "y", 2f, 0f, 1f, 0f, -2f);
        Path xy = ensemble("xy", "--model", x, "--model", y, "--weights", "equal");
        List<JsonNode> lx = logits(x, inputs), ly = logits(y, inputs), lxy = logits(xy, inputs);
        for (int i = 0; i < inputs.size(); i++) {
            assertEquals(lx.get(i).size(), lxy.get(i).size(), "one row per token");
            for (int t = 0; t < lx.get(i).size(); t++) {
                double[] px = softmax(lx.get(i).get(t)), py = softmax(ly.get(i).get(t));
                for (int k = 0; k < px.length; k++) {
                    assertEquals((px[k] + py[k]) / 2, Math.exp(lxy.get(i).get(t).get(k).asDouble()), TOLERANCE,
                            "input " + i + " token " + t + " tag " + k + ": an ensemble's logits are log mean probabilities");
                }
            }
        }
        JsonNode eval = evaluate(xy, tiny("ner/validation.conll"));
        assertEquals(12, eval.get("rows").asInt());
        assertEquals(2, eval.get("members").size());
        assertTrue(eval.get("f1").isNumber());
        assertEquals(inputs.size(), predict(xy, inputs).size());
    }

    private static double[] softmax(JsonNode logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (JsonNode v : logits) max = Math.max(max, v.asDouble());
        double[] p = new double[logits.size()];
        double sum = 0;
        for (int k = 0; k < p.length; k++) sum += p[k] = Math.exp(logits.get(k).asDouble() - max);
        for (int k = 0; k < p.length; k++) p[k] /= sum;
        return p;
    }

    @Test
    void aVoteFollowsTheWeightedMajority() throws IOException {
        Path ham = scored(shifted("trained", "ham", 5f, -5f), "macro_f1", 0.5);
        Path spam1 = scored(shifted("trained", "spam1", -5f, 5f), "macro_f1", 0.3);
        Path spam2 = scored(shifted("trained", "spam2", -5f, 5f), "macro_f1", 0.2);
        List<String> inputs = texts("validation.jsonl", 4);
        for (Path m : List.of(ham, spam1, spam2)) {
            for (JsonNode p : predict(m, inputs)) assertEquals(m.getFileName().toString().replaceAll("\\d", ""), p.get("label").asText());
        }
        Path equal = ensemble("vote-equal", "--model", ham, "--model", spam1, "--model", spam2, "--method", "vote",
                "--weights", "equal");
        for (JsonNode p : predict(equal, inputs)) {
            assertEquals("spam", p.get("label").asText(), "two of three");
            assertEquals(2.0 / 3, probability(p, "spam"), TOLERANCE, "the share of the votes");
        }
        // By validation score: ham 0.5, spam 0.3 + 0.2 = 0.5: a tie, which goes to the first label.
        Path weighted = ensemble("vote-weighted", "--model", ham, "--model", spam1, "--model", spam2, "--method", "vote");
        for (JsonNode p : predict(weighted, inputs)) {
            assertEquals("ham", p.get("label").asText());
            assertEquals(0.5, probability(p, "ham"), TOLERANCE);
        }
        JsonNode eval = evaluate(equal, tiny("validation.jsonl"));
        assertEquals(0.5, eval.get("accuracy").asDouble(), 0.0, "every row predicted spam; half are");
        assertFalse(eval.get("loss").isNumber() && Double.isFinite(eval.get("loss").asDouble()),
                "a vote has no probabilities, so no loss: " + eval.get("loss"));
    }

    /** A refused ensemble: one line naming the member, exit 1, nothing written. */
    private void assertRefused(String expected, Object... args) {
        Path out = tmp.resolve("refused");
        List<String> all = new ArrayList<>(List.of("ensemble", "--out", out.toString()));
        for (Object a : args) all.add(a.toString());
        CliRun run = CliRun.run(all.toArray(String[]::new));
        assertEquals(1, run.exitCode(), run.err());
        assertEquals(1, run.errLines().size(), run.err());
        assertTrue(run.errLines().getFirst().startsWith("kanna ensemble: "), run.err());
        assertTrue(run.err().contains(expected), "expected '" + expected + "' in: " + run.err());
        assertFalse(Files.exists(out), "nothing written");
        try (var files = Files.list(tmp)) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().startsWith(".refused")), "no temporary left");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void membersThatCannotFormAnEnsembleAreOneLineNamingTheMember() throws IOException {
        Path trained = tiny("trained");
        Path token = tiny("trained-token");
        assertRefused("member " + token + " is a token-classification model, " + trained
                        + " a sequence-classification one; an ensemble's members share one task",
                "--model", trained, "--model", token, "--weights", "equal");

        Path junk = shifted("trained", "junk", 0f, 0f);
        ObjectNode config = (ObjectNode) JSON.readTree(junk.resolve("config.json").toFile());
        ((ObjectNode) config.get("id2label")).put("1", "junk");
        ((ObjectNode) config.get("label2id")).remove("spam");
        ((ObjectNode) config.get("label2id")).put("junk", 1);
        Files.writeString(junk.resolve("config.json"), config.toString());
        assertRefused("member " + junk + " has the labels [ham, junk], " + trained + " [ham, spam]",
                "--model", trained, "--model", junk, "--weights", "equal");

        Path vocab = shifted("trained", "vocab", 0f, 0f);
        ObjectNode tokenizer = (ObjectNode) JSON.readTree(vocab.resolve("tokenizer.json").toFile());
        ObjectNode words = (ObjectNode) tokenizer.get("model").get("vocab");
        String renamed = null;
        for (Iterator<Map.Entry<String, JsonNode>> it = words.fields(); it.hasNext(); ) {
            var e = it.next();
            if (e.getValue().asInt() == 200) renamed = e.getKey();
        }
        words.remove(renamed);
        words.put("zzqx", 200);
        Files.writeString(vocab.resolve("tokenizer.json"), tokenizer.toString());
        assertRefused("member " + vocab + ": its tokenizer differs from " + trained + "'s (token 200 is 'zzqx', not '"
                + renamed + "'); an ensemble's members share one tokenizer", "--model", trained, "--model", vocab, "--weights", "equal");

        Path nested = ensemble("nested", "--model", trained, "--weights", "equal");
        assertRefused("member " + nested + " is itself an ensemble", "--model", trained, "--model", nested, "--weights", "equal");
        assertRefused("member " + tmp.resolve("absent") + ": no such model directory", "--model", trained,
                "--model", tmp.resolve("absent"), "--weights", "equal");
        assertRefused("member " + trained + " has no metrics.json to take its validation score from; use --weights equal",
                "--model", trained);
        assertRefused("--method vote counts class decisions; regression predicts values (use --method mean)",
                "--model", tiny("trained-regression"), "--method", "vote", "--weights", "equal");
        assertRefused("member " + tiny("trained-mlm") + ": masked-lm models cannot be ensembled",
                "--model", tiny("trained-mlm"), "--weights", "equal");
    }
}
