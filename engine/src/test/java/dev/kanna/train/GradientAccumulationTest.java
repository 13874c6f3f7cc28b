/*
 * Gradient accumulation: the gradients accumulated over two micro-batches of two sequences (each
 * loss scaled by 1/2, as FineTuner.step does) equal, to fp32 rounding, those of the four sequences
 * at once, when each half holds the same number of labels (the mean of the two half-batch means is
 * then the full-batch mean). A step over the two micro-batches reports their mean loss.
 */
package dev.kanna.train;

import dev.kanna.autograd.Parameter;
import dev.kanna.backend.Backend;
import dev.kanna.backend.cpu.CpuBackend;
import dev.kanna.bert.Batch;
import dev.kanna.bert.BertForSequenceClassification;
import dev.kanna.bert.Fixtures;
import dev.kanna.bert.FreezePolicy;
import dev.kanna.bert.LoadOptions;
import dev.kanna.optim.AdamW;
import dev.kanna.optim.LrSchedule;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GradientAccumulationTest {

    static Batch rows(Batch b, int from, int to) {
        int t = b.length();
        return new Batch(to - from, t, Arrays.copyOfRange(b.inputIds(), from * t, to * t),
                Arrays.copyOfRange(b.tokenTypeIds(), from * t, to * t), Arrays.copyOfRange(b.attentionMask(), from * t, to * t));
    }

    static List<float[]> grads(FineTuner tuner, Backend backend) {
        List<float[]> out = new ArrayList<>();
        for (Parameter p : tuner.trainable().parameters()) out.add(backend.download(p.grad()));
        tuner.optimizer().zeroGrad();
        return out;
    }

    @Test
    void twoHalfBatchesAccumulateTheWholeBatchGradient() {
        var stored = Fixtures.read(Fixtures.resource("training/trajectory.safetensors"));
        Batch batch = Fixtures.batch(stored, "step0.");
        int[] labels = stored.get("step0.labels").ints();
        var whole = new FineTuner.LabelledBatch(batch, labels);
        var first = new FineTuner.LabelledBatch(rows(batch, 0, 2), Arrays.copyOfRange(labels, 0, 2));
        var second = new FineTuner.LabelledBatch(rows(batch, 2, 4), Arrays.copyOfRange(labels, 2, 4));
        Path dir = Fixtures.resource("tiny-gelu/cls");
        try (Backend backend = new CpuBackend(2)) {
            var model = BertForSequenceClassification.load(Fixtures.weights(dir), Fixtures.config(dir), backend, LoadOptions.defaults());
            var tuner = new FineTuner(model, FreezePolicy.all(), new FineTuner.Settings(1e-4,
                    new LrSchedule(LrSchedule.Kind.CONSTANT, 0, 3), AdamW.Options.defaults(), 1.0, 0f, null, false, 1));

            double wholeLoss = tuner.accumulate(whole, 0, 1.0);
            List<float[]> expected = grads(tuner, backend);
            double halfLoss = (tuner.accumulate(first, 0, 0.5) + tuner.accumulate(second, 0, 0.5)) / 2;
            List<float[]> actual = grads(tuner, backend);
            assertEquals(wholeLoss, halfLoss, 1e-6, "mean loss");
            for (int k = 0; k < expected.size(); k++) {
                double diff = 0, norm = 0;
                for (int j = 0; j < expected.get(k).length; j++) {
                    diff += Math.pow(expected.get(k)[j] - actual.get(k)[j], 2);
                    norm += Math.pow(expected.get(k)[j], 2);
                }
                String name = tuner.trainable().parameters().get(k).name();
                // 1e-5 relative, or 1e-7 absolute for the attention key bias whose exact gradient is 0: fp32 rounding
                assertTrue(Math.sqrt(diff) <= 1e-5 * Math.sqrt(norm) + 1e-7, name + ": " + Math.sqrt(diff) + " vs norm " + Math.sqrt(norm));
            }
            var result = tuner.step(List.of(first, second));
            assertEquals(halfLoss, result.loss(), 1e-12, "a step reports the micro-batches' mean loss");
        }
    }
}
