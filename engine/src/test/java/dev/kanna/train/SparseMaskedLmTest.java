/*
 * The masked-LM head computed at the masked positions only (Targets.Selected → outputsAt) against
 * the dense head over every position with the other labels ignored (−100): the same loss and the
 * same gradient for every parameter, the tied decoder included. Both sum the same per-row terms;
 * only the order of the products' accumulation over rows differs.
 */
package dev.kanna.train;

import dev.kanna.autograd.Parameter;
import dev.kanna.backend.Backend;
import dev.kanna.backend.cpu.CpuBackend;
import dev.kanna.bert.Batch;
import dev.kanna.bert.BertConfig;
import dev.kanna.bert.BertForMaskedLM;
import dev.kanna.bert.FreezePolicy;
import dev.kanna.bert.LoadOptions;
import dev.kanna.bert.RandomCheckpoint;
import dev.kanna.optim.AdamW;
import dev.kanna.optim.LrSchedule;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SparseMaskedLmTest {
    static final BertConfig CONFIG = BertConfig.builder().vocabSize(40).hiddenSize(16).numHiddenLayers(2)
            .numAttentionHeads(2).intermediateSize(24).maxPositionEmbeddings(16).typeVocabSize(2).build();
    static final Batch BATCH = new Batch(3, 6,
            new int[]{2, 7, 9, 11, 13, 3, 2, 5, 6, 3, 0, 0, 2, 17, 3, 0, 0, 0},
            new int[18], new int[]{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 0, 0, 0});
    /** Masked positions (of the 18) and their original ids. */
    static final int[] ROWS = {1, 4, 8, 13}, LABELS = {21, 13, 30, 17};
    /** fp32 sums over different row orders: relative 1e-5 of the gradient's scale. */
    static final double RELATIVE = 1e-5;

    @Test
    void sparseHeadGivesTheDenseLossAndGradients() {
        int[] dense = new int[18];
        Arrays.fill(dense, -100);
        for (int k = 0; k < ROWS.length; k++) dense[ROWS[k]] = LABELS[k];
        try (Backend backend = new CpuBackend(2)) {
            Result a = step(backend, new Targets.Classes(dense));
            Result b = step(backend, new Targets.Selected(ROWS, LABELS));
            assertEquals(a.loss, b.loss, 1e-6 * Math.abs(a.loss), "loss");
            assertEquals(a.grads.size(), b.grads.size());
            for (int p = 0; p < a.grads.size(); p++) {
                float[] x = a.grads.get(p), y = b.grads.get(p);
                double scale = 0;
                for (float v : x) scale = Math.max(scale, Math.abs(v));
                for (int i = 0; i < x.length; i++) {
                    assertTrue(Math.abs(x[i] - y[i]) <= RELATIVE * scale + 1e-12,
                            a.names.get(p) + "[" + i + "]: dense " + x[i] + ", sparse " + y[i]);
                }
            }
        }
    }

    record Result(double loss, List<String> names, List<float[]> grads) {
    }

    /** One forward and backward (no optimizer step: the gradients are compared before they are used). */
    private static Result step(Backend backend, Targets targets) {
        var model = BertForMaskedLM.load(RandomCheckpoint.of(CONFIG, 9, 0.5, false, false, true), CONFIG, backend,
                LoadOptions.defaults());
        var tuner = new FineTuner(model, FreezePolicy.all(), new FineTuner.Settings(1e-3,
                new LrSchedule(LrSchedule.Kind.CONSTANT, 0, 1), AdamW.Options.defaults(), 0, new Loss.CrossEntropy(null, 0f),
                false, 1));
        double loss = tuner.accumulate(new FineTuner.LabelledBatch(BATCH, targets), 0, 1.0);
        List<String> names = new ArrayList<>();
        List<float[]> grads = new ArrayList<>();
        for (Parameter p : tuner.trainable().parameters()) {
            names.add(p.name());
            grads.add(backend.download(p.grad()));
        }
        return new Result(loss, names, grads);
    }
}
