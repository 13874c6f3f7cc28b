/*
 * Twenty fine-tuning steps against the same twenty in PyTorch (tools/reference/bert_fixtures.py):
 * same initial weights (tiny-gelu), same batches, top 2 of 3 layers unfrozen, dropout off,
 * torch.optim.AdamW (lr 1e-4, weight decay 0.01 except biases and LayerNorm weights),
 * transformers.get_linear_schedule_with_warmup (4 warmup steps), clip_grad_norm_(1.0).
 */
package dev.kanna.train;

import dev.kanna.backend.Backend;
import dev.kanna.backend.cpu.CpuBackend;
import dev.kanna.bert.BertConfig;
import dev.kanna.bert.BertForSequenceClassification;
import dev.kanna.bert.Fixtures;
import dev.kanna.bert.FreezePolicy;
import dev.kanna.bert.LoadOptions;
import dev.kanna.optim.AdamW;
import dev.kanna.optim.LrSchedule;
import dev.kanna.tensor.HostTensor;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrajectoryParityTest {

    /** 1e-4 abs per step's loss: fp32 forward (≤ 2e-6 off) compounded over 20 small AdamW steps. */
    static final double LOSS_TOLERANCE = 1e-4;
    /** 1e-4 max abs on final weights, as required (each step moves a weight by about lr = 1e-4). */
    static final double WEIGHT_TOLERANCE = 1e-4;
    /**
     * The attention key biases are the exception: their exact gradient is zero (softmax ignores a
     * shift common to a score row), so both implementations feed AdamW pure fp32 rounding noise
     * (~1e-8), which AdamW normalises into steps of up to ~lr in a random direction. Both sides stay
     * within 20 steps · lr of the start, so they differ by at most 2 · 20 · lr.
     */
    static final double KEY_BIAS_TOLERANCE = 2 * 20 * 1e-4;

    @Test
    void twentyStepsMatchPyTorch() {
        Map<String, Fixtures.Stored> expected = Fixtures.read(Fixtures.resource("training/trajectory.safetensors"));
        Path dir = Fixtures.resource("tiny-gelu/cls");
        BertConfig config = Fixtures.config(dir);
        double[] losses = expected.get("losses").doubles(), norms = expected.get("grad_norms").doubles(),
                lrs = expected.get("lrs").doubles();
        try (Backend backend = new CpuBackend(2)) {
            var model = BertForSequenceClassification.load(Fixtures.weights(dir), config, backend, LoadOptions.defaults());
            var tuner = new FineTuner(model, FreezePolicy.unfreezeTop(2), new FineTuner.Settings(1e-4,
                    new LrSchedule(LrSchedule.Kind.LINEAR, 4, 20), AdamW.Options.defaults().withWeightDecay(0.01),
                    1.0, 0f, null, false, 7));
            double worstLoss = 0;
            for (int step = 0; step < 20; step++) {
                var batch = new FineTuner.LabelledBatch(Fixtures.batch(expected, "step" + step + "."),
                        expected.get("step" + step + ".labels").ints());
                FineTuner.StepResult result = tuner.step(List.of(batch));
                // the schedule's value is computed in double exactly as LambdaLR does
                assertEquals(lrs[step], result.lr(), 1e-15, "learning rate of step " + step);
                assertEquals(norms[step], result.gradNorm(), 1e-4 * norms[step], "gradient norm of step " + step);
                assertEquals(losses[step], result.loss(), LOSS_TOLERANCE, "loss of step " + step);
                worstLoss = Math.max(worstLoss, Math.abs(losses[step] - result.loss()));
            }
            Map<String, HostTensor> initial = model.stateDict();   // for the frozen ones: compare to the checkpoint
            Map<String, Fixtures.Stored> checkpoint = Fixtures.read(dir.resolve("model.safetensors"));
            double worstWeight = 0, worstKeyBias = 0;
            int trained = 0;
            for (var e : initial.entrySet()) {
                Fixtures.Stored fin = expected.get("final." + e.getKey());
                if (fin == null) {
                    assertArrayEquals(checkpoint.get(e.getKey()).floats(), e.getValue().data(), e.getKey() + " is frozen");
                    continue;
                }
                trained++;
                float[] want = fin.floats(), got = e.getValue().data();
                double tensorWorst = 0;
                for (int k = 0; k < want.length; k++) tensorWorst = Math.max(tensorWorst, Math.abs(want[k] - got[k]));
                if (e.getKey().endsWith("attention.self.key.bias")) {
                    worstKeyBias = Math.max(worstKeyBias, tensorWorst);
                    assertTrue(tensorWorst <= KEY_BIAS_TOLERANCE, e.getKey() + " off by " + tensorWorst);
                } else {
                    worstWeight = Math.max(worstWeight, tensorWorst);
                }
            }
            assertEquals(expected.keySet().stream().filter(n -> n.startsWith("final.")).count(), trained,
                    "trainable tensors");
            System.out.printf("trajectory: worst loss error %.3g, worst final weight error %.3g over %d tensors"
                    + " (attention key biases: %.3g)%n", worstLoss, worstWeight, trained, worstKeyBias);
            assertTrue(worstWeight <= WEIGHT_TOLERANCE, "final weights off by " + worstWeight);
        }
    }
}
