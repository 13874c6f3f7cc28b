/*
 * The frozen-layer cache: training from cached lower-stack states equals training the whole model
 * (dropout off) within fp32 tolerance, also against PyTorch's trajectory; evaluation from the cache
 * is bitwise the whole model's when batched alike; the cache is deterministic; the frozen lower stack
 * follows the freezing policy; states from above a trainable layer are refused.
 */
package dev.kanna.train;

import dev.kanna.backend.Backend;
import dev.kanna.backend.cpu.CpuBackend;
import dev.kanna.bert.Batch;
import dev.kanna.bert.BertForSequenceClassification;
import dev.kanna.bert.Fixtures;
import dev.kanna.bert.FreezePolicy;
import dev.kanna.bert.HiddenBatch;
import dev.kanna.bert.LoadOptions;
import dev.kanna.optim.AdamW;
import dev.kanna.optim.LrSchedule;
import dev.kanna.tensor.HostTensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FrozenCacheTest {
    static final int STEPS = 20, ROWS = 4;
    /**
     * 2e-6 abs per step's loss and 2e-6 abs on the final weights: both paths compute the same fp32
     * ops on the same inputs, except that the cache ran the frozen layer in other batches (other
     * padded lengths, so attention sums over keys grouped differently: ≤ ~1e-7 per state), which
     * 20 AdamW steps at lr 1e-4 carry into the weights. The attention key biases are the exception,
     * as in TrajectoryParityTest: their exact gradient is 0, so AdamW amplifies pure rounding noise
     * into steps of up to lr in any direction, 2 · 20 · lr apart at most.
     */
    static final double LOSS_TOLERANCE = 2e-6, WEIGHT_TOLERANCE = 2e-6, KEY_BIAS_TOLERANCE = 2 * 20 * 1e-4;

    static Backend backend;
    static Map<String, Fixtures.Stored> trajectory;
    static Examples examples;

    /** The trajectory fixture's 20 batches of 4 as 80 unpadded examples (example 4s + r is row r of step s). */
    record Examples(List<int[]> ids, List<int[]> types, int[] labels) implements FrozenCache.Examples {
        @Override
        public int size() {
            return ids.size();
        }

        @Override
        public int length(int i) {
            return ids.get(i).length;
        }

        @Override
        public Batch batch(int[] indices) {
            List<int[]> rows = new ArrayList<>();
            for (int i : indices) rows.add(ids.get(i));
            Batch padded = Batch.pad(rows, 0);
            int[] typeIds = padded.tokenTypeIds();
            for (int k = 0; k < indices.length; k++) {
                System.arraycopy(types.get(indices[k]), 0, typeIds, k * padded.length(), length(indices[k]));
            }
            return padded;
        }

        int[] labels(int[] indices) {
            return Arrays.stream(indices).map(i -> labels[i]).toArray();
        }
    }

    @BeforeAll
    static void open() {
        backend = new CpuBackend(2);
        trajectory = Fixtures.read(Fixtures.resource("training/trajectory.safetensors"));
        List<int[]> ids = new ArrayList<>(), types = new ArrayList<>();
        int[] labels = new int[STEPS * ROWS];
        for (int s = 0; s < STEPS; s++) {
            Batch b = Fixtures.batch(trajectory, "step" + s + ".");
            int[] y = trajectory.get("step" + s + ".labels").ints();
            for (int r = 0; r < ROWS; r++) {
                int from = r * b.length(), to = from + b.tokens(r);
                ids.add(Arrays.copyOfRange(b.inputIds(), from, to));
                types.add(Arrays.copyOfRange(b.tokenTypeIds(), from, to));
                labels[s * ROWS + r] = y[r];
            }
        }
        examples = new Examples(ids, types, labels);
    }

    @AfterAll
    static void close() {
        backend.close();
    }

    static BertForSequenceClassification load() {
        Path dir = Fixtures.resource("tiny-gelu/cls");
        return BertForSequenceClassification.load(Fixtures.weights(dir), Fixtures.config(dir), backend, LoadOptions.defaults());
    }

    /** TrajectoryParityTest's settings: lr 1e-4, linear schedule with 4 warmup steps, clipping 1.0, dropout off. */
    static FineTuner tuner(BertForSequenceClassification model, FreezePolicy policy) {
        return new FineTuner(model, policy, new FineTuner.Settings(1e-4, new LrSchedule(LrSchedule.Kind.LINEAR, 4, STEPS),
                AdamW.Options.defaults().withWeightDecay(0.01), 1.0, 0f, null, false, 7));
    }

    static int[] step(int s) {
        int[] indices = new int[ROWS];
        for (int r = 0; r < ROWS; r++) indices[r] = s * ROWS + r;
        return indices;
    }

    @Test
    void cachedTrainingMatchesWholeModelTrainingAndPyTorch() {
        var whole = load();
        var wholeTuner = tuner(whole, FreezePolicy.unfreezeTop(2));
        var cachedModel = load();
        var cachedTuner = tuner(cachedModel, FreezePolicy.unfreezeTop(2));
        assertEquals(1, cachedModel.bert().frozenLowerLayers(), "top 2 of 3 layers train: layer 0 is the frozen stack");
        FrozenCache cache = FrozenCache.compute(cachedModel.bert(), 1, examples, 16, null);

        double[] torchLosses = trajectory.get("losses").doubles();
        double worstLoss = 0;
        for (int s = 0; s < STEPS; s++) {
            int[] indices = step(s);
            double expected = wholeTuner.step(List.of(new FineTuner.LabelledBatch(examples.batch(indices),
                    examples.labels(indices)))).loss();
            double got = cachedTuner.step(List.of(cache.labelledBatch(indices, new Targets.Classes(examples.labels(indices))))).loss();
            assertEquals(expected, got, LOSS_TOLERANCE, "loss of step " + s);
            assertEquals(torchLosses[s], got, TrajectoryReplay.LOSS_TOLERANCE, "PyTorch's loss of step " + s);
            worstLoss = Math.max(worstLoss, Math.abs(expected - got));
        }
        Map<String, HostTensor> a = whole.stateDict(), b = cachedModel.stateDict();
        double worstWeight = 0;
        for (String name : a.keySet()) {
            float[] x = a.get(name).data(), y = b.get(name).data();
            double worst = 0;
            for (int k = 0; k < x.length; k++) worst = Math.max(worst, Math.abs(x[k] - y[k]));
            if (name.endsWith("attention.self.key.bias")) {
                assertTrue(worst <= KEY_BIAS_TOLERANCE, name + " off by " + worst);
            } else {
                worstWeight = Math.max(worstWeight, worst);
            }
            Fixtures.Stored torch = trajectory.get("final." + name);
            if (torch == null) assertArrayEquals(x, y, name + " is frozen");
        }
        System.out.printf("frozen cache vs whole model: worst loss difference %.3g, worst weight difference %.3g%n",
                worstLoss, worstWeight);
        assertTrue(worstWeight <= WEIGHT_TOLERANCE, "final weights off by " + worstWeight);
    }

    @Test
    void evaluationFromTheCacheIsBitwiseTheWholeModelsWhenBatchedAlike() {
        var model = load();
        FreezePolicy.unfreezeTop(1).apply(model);
        FrozenCache cache = FrozenCache.compute(model.bert(), 2, examples, 8, null);
        int[] order = FrozenCache.byLength(examples);
        for (int start = 0; start < order.length; start += 8) {
            int[] indices = Arrays.copyOfRange(order, start, start + 8);
            float[][] want = model.logits(examples.batch(indices)), got = model.logits(cache.batch(indices));
            for (int k = 0; k < indices.length; k++) assertArrayEquals(want[k], got[k], "example " + indices[k]);
        }
    }

    @Test
    void theCacheIsDeterministic() {
        var model = load();
        FrozenCache first = FrozenCache.compute(model.bert(), 2, examples, 16, null);
        FrozenCache second = FrozenCache.compute(model.bert(), 2, examples, 16, null);
        int[] all = new int[examples.size()];
        Arrays.setAll(all, i -> i);
        HiddenBatch a = first.batch(all), b = second.batch(all);
        assertArrayEquals(a.states(), b.states());
        assertArrayEquals(a.attentionMask(), b.attentionMask());
        assertEquals(2, a.layer());
        long tokens = Arrays.stream(a.attentionMask()).sum();
        assertEquals(tokens * 32 * Float.BYTES, FrozenCache.bytes(examples, 32), "Σ tokens × C × 4 bytes");
    }

    @Test
    void theFrozenLowerStackFollowsThePolicy() {
        var model = load();
        assertEquals(1, lower(model, FreezePolicy.unfreezeTop(2)));
        assertEquals(2, lower(model, FreezePolicy.unfreezeTop(1)));
        assertEquals(3, lower(model, FreezePolicy.unfreezeTop(0)), "pooler and classifier only");
        assertEquals(0, lower(model, FreezePolicy.unfreezeTop(3)));
        assertEquals(0, lower(model, FreezePolicy.all()), "the embeddings train");
        assertEquals(0, lower(model, FreezePolicy.pattern("embeddings\\.LayerNorm|classifier")));
        assertEquals(1, lower(model, FreezePolicy.pattern("layer\\.1\\.output\\.LayerNorm|classifier")));
        assertEquals(2, lower(model, FreezePolicy.pattern("layer\\.2\\.|pooler")));
        assertEquals(2, lower(model, FreezePolicy.unfreezeTop(1).withFrozenEmbeddings()));
    }

    static int lower(BertForSequenceClassification model, FreezePolicy policy) {
        policy.apply(model);
        return model.bert().frozenLowerLayers();
    }

    @Test
    void statesAboveATrainableLayerAreRefused() {
        var model = load();
        var tuner = tuner(model, FreezePolicy.unfreezeTop(2));   // layers 1 and 2 train
        FrozenCache tooHigh = FrozenCache.compute(model.bert(), 2, examples, 16, null);
        int[] indices = step(0);
        var e = assertThrows(IllegalArgumentException.class,
                () -> tuner.step(List.of(tooHigh.labelledBatch(indices, new Targets.Classes(examples.labels(indices))))));
        assertTrue(e.getMessage().contains("layer 1"), e.getMessage());
    }
}
