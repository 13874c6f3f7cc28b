/*
 * Freezing is a cost policy: frozen layers record nothing and keep no activations, so a training
 * step's recorded ops and peak memory grow with the unfrozen layers only; and after the first step
 * a step allocates no new storage (everything comes back from the pool).
 */
package dev.kanna.autograd;

import dev.kanna.backend.Scope;
import dev.kanna.bert.BertConfig;
import dev.kanna.bert.BertForSequenceClassification;
import dev.kanna.bert.BertInputs;
import dev.kanna.bert.Batch;
import dev.kanna.bert.FreezePolicy;
import dev.kanna.bert.LoadOptions;
import dev.kanna.bert.RandomCheckpoint;
import dev.kanna.bert.WeightSource;
import dev.kanna.optim.AdamW;
import dev.kanna.optim.LrSchedule;
import dev.kanna.train.FineTuner;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FreezingCostTest {
    static final int LAYERS = 4;
    static final BertConfig CONFIG = BertConfig.builder().vocabSize(50).hiddenSize(16).numHiddenLayers(LAYERS)
            .numAttentionHeads(2).intermediateSize(32).maxPositionEmbeddings(16).build();
    static final Batch BATCH = Batch.pad(List.of(new int[]{2, 5, 7, 9, 11, 3}, new int[]{2, 8, 4}), 0);

    /** A random model's checkpoint (encoder only: the head starts fresh). */
    static WeightSource randomEncoder() {
        return RandomCheckpoint.of(CONFIG, 3, 0.3, false, false, false);
    }

    record Cost(int recordedOps, long peakActivationFloats) {
    }

    static Cost stepCost(int unfrozen) {
        try (CountingBackend backend = new CountingBackend()) {
            var model = BertForSequenceClassification.load(randomEncoder(), CONFIG, backend, new LoadOptions(1, w -> { }));
            FreezePolicy.unfreezeTop(unfrozen).apply(model);
            backend.resetPeak();
            long before = backend.liveFloats();
            try (Scope ignored = backend.scope()) {
                Tape tape = new Tape(backend);
                Ops ops = Ops.recording(tape);
                var logits = model.logits(ops, BertInputs.upload(backend, BATCH, CONFIG));
                ops.crossEntropy(logits, new int[]{0, 1}, null, 0f, 1.0);
                int recorded = tape.size();
                tape.backward();
                for (var p : model.parameters()) {
                    if (!p.trainable()) assertNull(p.grad(), p.name() + " is frozen and has no gradient");
                }
                return new Cost(recorded, backend.peakFloats() - before);
            }
        }
    }

    @Test
    void recordedOpsAndPeakMemoryGrowWithUnfrozenLayersOnly() {
        Cost[] cost = new Cost[LAYERS + 1];
        for (int n = 0; n <= LAYERS; n++) cost[n] = stepCost(n);
        // 7 recorded ops per encoder layer: qkv, attention, dense, add + LayerNorm, dense + gelu, dense, add + LayerNorm
        for (int n = 2; n <= LAYERS; n++) assertEquals(7, cost[n].recordedOps() - cost[n - 1].recordedOps(), "layer " + n);
        // top 0: pooler dense, tanh, classifier, loss (the [CLS] gather's input needs no gradient)
        assertEquals(4, cost[0].recordedOps());
        // each unfrozen layer adds the same activation memory: the increments are equal
        long perLayer = cost[2].peakActivationFloats() - cost[1].peakActivationFloats();
        assertTrue(perLayer > 0);
        for (int n = 3; n <= LAYERS; n++) {
            assertEquals(perLayer, cost[n].peakActivationFloats() - cost[n - 1].peakActivationFloats(), "layer " + n);
        }
        // with everything above the encoder only, the peak is below what one recorded layer needs
        assertTrue(cost[0].peakActivationFloats() < perLayer, cost[0] + " vs one layer " + perLayer);
    }

    @Test
    void steadyStateTrainingStepAllocatesNothingNew() {
        try (CountingBackend backend = new CountingBackend()) {
            var model = BertForSequenceClassification.load(randomEncoder(), CONFIG, backend, new LoadOptions(1, w -> { }));
            var tuner = new FineTuner(model, FreezePolicy.unfreezeTop(2), new FineTuner.Settings(1e-3,
                    new LrSchedule(LrSchedule.Kind.CONSTANT, 0, 10), AdamW.Options.defaults(), 1.0, 0f, null, true, 1));
            var batch = new FineTuner.LabelledBatch(BATCH, new int[]{1, 0});
            tuner.step(List.of(batch));
            long live = backend.liveFloats(), fresh = backend.freshAllocations();
            for (int k = 0; k < 3; k++) tuner.step(List.of(batch, batch));
            assertEquals(fresh, backend.freshAllocations(), "new storage allocated after the first step");
            assertEquals(live, backend.liveFloats(), "storage still held after the step");
        }
    }
}
