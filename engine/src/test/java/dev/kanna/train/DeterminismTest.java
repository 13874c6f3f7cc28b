/*
 * Determinism with dropout on: the same seed gives bitwise the same weights after N steps, another
 * seed different ones; and stopping after k steps, restoring weights and optimizer state into a
 * fresh model, then continuing gives bitwise the weights of never stopping.
 */
package dev.kanna.train;

import dev.kanna.backend.Backend;
import dev.kanna.backend.cpu.CpuBackend;
import dev.kanna.bert.BertForSequenceClassification;
import dev.kanna.bert.Fixtures;
import dev.kanna.bert.FreezePolicy;
import dev.kanna.bert.LoadOptions;
import dev.kanna.bert.WeightSource;
import dev.kanna.optim.AdamW;
import dev.kanna.optim.LrSchedule;
import dev.kanna.tensor.HostTensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeterminismTest {
    static final int STEPS = 6;
    static Backend backend;
    static List<FineTuner.LabelledBatch> batches = new ArrayList<>();

    @BeforeAll
    static void open() {
        backend = new CpuBackend(2);
        Map<String, Fixtures.Stored> stored = Fixtures.read(Fixtures.resource("training/trajectory.safetensors"));
        for (int step = 0; step < STEPS; step++) {
            batches.add(new FineTuner.LabelledBatch(Fixtures.batch(stored, "step" + step + "."),
                    stored.get("step" + step + ".labels").ints()));
        }
    }

    @AfterAll
    static void close() {
        backend.close();
    }

    static FineTuner.Settings settings(long seed) {
        // a large rate so that dropout's effect on the weights is far above rounding
        return new FineTuner.Settings(1e-3, new LrSchedule(LrSchedule.Kind.LINEAR, 2, STEPS),
                AdamW.Options.defaults().withWeightDecay(0.01), 1.0, 0.1f, null, true, seed);
    }

    static BertForSequenceClassification load(WeightSource source) {
        Path dir = Fixtures.resource("tiny-gelu/cls");
        return BertForSequenceClassification.load(source, Fixtures.config(dir), backend, LoadOptions.defaults());
    }

    static WeightSource initial() {
        return Fixtures.weights(Fixtures.resource("tiny-gelu/cls"));
    }

    static Map<String, HostTensor> train(long seed, List<Double> losses) {
        var model = load(initial());
        var tuner = new FineTuner(model, FreezePolicy.unfreezeTop(2), settings(seed));
        for (var b : batches) losses.add(tuner.step(List.of(b)).loss());
        return model.stateDict();
    }

    @Test
    void sameSeedSameWeightsBitwise() {
        List<Double> lossesA = new ArrayList<>(), lossesB = new ArrayList<>(), lossesC = new ArrayList<>();
        Map<String, HostTensor> a = train(11, lossesA), b = train(11, lossesB), c = train(12, lossesC);
        assertEquals(lossesA, lossesB);
        boolean anyDifferent = false;
        for (String name : a.keySet()) {
            assertArrayEquals(a.get(name).data(), b.get(name).data(), name);
            anyDifferent |= !java.util.Arrays.equals(a.get(name).data(), c.get(name).data());
        }
        assertTrue(anyDifferent, "another dropout seed must change the weights");
        assertFalse(lossesA.equals(lossesC), "another dropout seed must change the losses");
    }

    @Test
    void resumingEqualsNeverStopping() {
        Map<String, HostTensor> straight = train(21, new ArrayList<>());

        var first = load(initial());
        var tuner = new FineTuner(first, FreezePolicy.unfreezeTop(2), settings(21));
        for (int step = 0; step < 3; step++) tuner.step(List.of(batches.get(step)));
        Map<String, HostTensor> saved = first.stateDict();
        AdamW.State optimizerState = tuner.optimizer().state();

        var resumed = load(WeightSource.of("checkpoint", saved));
        var resumedTuner = new FineTuner(resumed, FreezePolicy.unfreezeTop(2), settings(21));
        resumedTuner.optimizer().restore(optimizerState);
        for (int step = 3; step < STEPS; step++) resumedTuner.step(List.of(batches.get(step)));
        Map<String, HostTensor> end = resumed.stateDict();
        for (String name : straight.keySet()) assertArrayEquals(straight.get(name).data(), end.get(name).data(), name);
    }
}
