/*
 * Our BERT forward against transformers' on tiny random models (tools/reference/bert_fixtures.py):
 * three configurations differing in hidden size, layer and head counts, hidden_act (gelu, gelu_new,
 * relu) and token-type vocabulary; one padded batch with token types each. Last hidden states,
 * classification logits and masked-LM logits, every position (padding included).
 */
package dev.kanna.bert;

import dev.kanna.backend.Backend;
import dev.kanna.backend.cpu.CpuBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

class BertForwardParityTest {

    /** 1e-4 max abs: fp32 throughout, but a different summation order and our own erf/tanh. */
    static final double TOLERANCE = 1e-4;

    static Backend backend;

    @BeforeAll
    static void open() {
        backend = new CpuBackend(2);
    }

    @AfterAll
    static void close() {
        backend.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-gelu", "tiny-gelu-new", "tiny-relu"})
    void lastHiddenStateMatchesTransformers(String model) {
        Path dir = Fixtures.resource(model + "/cls");
        Map<String, Fixtures.Stored> expected = Fixtures.read(Fixtures.resource(model + "/expected.safetensors"));
        BertModel bert = BertModel.load(Fixtures.weights(dir), Fixtures.config(dir), backend, LoadOptions.defaults());
        float[][][] hidden = bert.lastHiddenState(Fixtures.batch(expected, ""));
        assertClose(expected.get("last_hidden_state").floats(), flatten(hidden), model + " last_hidden_state");
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-gelu", "tiny-gelu-new", "tiny-relu"})
    void classificationLogitsMatchTransformers(String model) {
        Path dir = Fixtures.resource(model + "/cls");
        Map<String, Fixtures.Stored> expected = Fixtures.read(Fixtures.resource(model + "/expected.safetensors"));
        var classifier = BertForSequenceClassification.load(Fixtures.weights(dir), Fixtures.config(dir), backend,
                LoadOptions.defaults().withWarnings(w -> { throw new AssertionError("unexpected warning: " + w); }));
        float[][] logits = classifier.logits(Fixtures.batch(expected, ""));
        assertClose(expected.get("cls_logits").floats(), flatten(logits), model + " classification logits");
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-gelu", "tiny-gelu-new", "tiny-relu"})
    void maskedLmLogitsMatchTransformers(String model) {
        Path dir = Fixtures.resource(model + "/mlm");
        Map<String, Fixtures.Stored> expected = Fixtures.read(Fixtures.resource(model + "/expected.safetensors"));
        var mlm = BertForMaskedLM.load(Fixtures.weights(dir), Fixtures.config(dir), backend,
                LoadOptions.defaults().withWarnings(w -> { throw new AssertionError("unexpected warning: " + w); }));
        float[][][] logits = mlm.logits(Fixtures.batch(expected, ""));
        assertClose(expected.get("mlm_logits").floats(), flatten(logits), model + " masked-LM logits");
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-gelu", "tiny-gelu-new", "tiny-relu"})
    void pooledEmbeddingsMatchSentenceTransformersPooling(String model) throws java.io.IOException {
        Map<String, Fixtures.Stored> expected = Fixtures.read(Fixtures.resource(model + "/expected.safetensors"));
        BertModel bert = BertModel.load(Fixtures.resource(model + "/cls"), backend, LoadOptions.defaults());
        Batch batch = Fixtures.batch(expected, "cli.");
        assertClose(expected.get("cli.mean_pooled").floats(), flatten(bert.embed(batch, BertModel.Pooling.MEAN)), model + " mean pooling");
        assertClose(expected.get("cli.cls_pooled").floats(), flatten(bert.embed(batch, BertModel.Pooling.CLS)), model + " cls pooling");
    }

    static void assertClose(float[] expected, float[] actual, String what) {
        assertTrue(expected.length == actual.length, what + ": " + actual.length + " values, expected " + expected.length);
        double max = 0;
        int at = -1;
        for (int k = 0; k < expected.length; k++) {
            double d = Math.abs(expected[k] - actual[k]);
            if (!(d <= max)) {
                max = d;
                at = k;
            }
        }
        System.out.printf("%s: max abs error %.3g%n", what, max);
        double worst = max;
        int index = at;
        assertTrue(worst <= TOLERANCE, () -> what + ": max abs error " + worst + " at " + index + " (expected "
                + expected[index] + ", got " + actual[index] + ")");
    }

    static float[] flatten(float[][] a) {
        int n = 0;
        for (float[] r : a) n += r.length;
        float[] out = new float[n];
        int k = 0;
        for (float[] r : a) {
            System.arraycopy(r, 0, out, k, r.length);
            k += r.length;
        }
        return out;
    }

    static float[] flatten(float[][][] a) {
        int n = 0;
        for (float[][] r : a) n += r.length;
        float[][] rows = new float[n][];
        int k = 0;
        for (float[][] r : a) for (float[] row : r) rows[k++] = row;
        return flatten(rows);
    }
}
