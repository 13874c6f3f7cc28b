/*
 * Replays a PyTorch fine-tuning trajectory (tools/reference/bert_fixtures.py, task_fixtures.py,
 * mlm_fixtures.py) and checks every step and the final weights against it. Every trajectory fixture
 * was made the same way: the model directory's initial weights, its stored batches, top 2 of 3
 * layers unfrozen (one masked-LM trajectory trains every parameter instead), dropout off, torch.optim.AdamW (lr 1e-4, weight decay 0.01 except biases and LayerNorm weights),
 * transformers.get_linear_schedule_with_warmup (4 warmup steps of 20), clip_grad_norm_(1.0), torch
 * on one thread. What differs between heads is the model class, the loss and the stored targets.
 */
package dev.kanna.train;

import dev.kanna.backend.Backend;
import dev.kanna.backend.cpu.CpuBackend;
import dev.kanna.bert.BertConfig;
import dev.kanna.bert.Fixtures;
import dev.kanna.bert.FreezePolicy;
import dev.kanna.bert.LoadOptions;
import dev.kanna.bert.TaskModel;
import dev.kanna.bert.WeightSource;
import dev.kanna.optim.AdamW;
import dev.kanna.optim.LrSchedule;
import dev.kanna.tensor.HostTensor;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

final class TrajectoryReplay {
    private TrajectoryReplay() {
    }

    static final int STEPS = 20;
    /** The schedule's value is computed in double exactly as LambdaLR does. */
    static final double LR_TOLERANCE = 1e-15;
    /** Relative, on the norm clip_grad_norm_ returns before clipping. */
    static final double GRAD_NORM_TOLERANCE = 1e-4;
    /**
     * 1e-4 abs per step's loss: fp32 forward (≤ 2e-6 off) compounded over 20 small AdamW steps. The
     * forward's error is relative (under 1e-6 of the loss), so it holds for regression's losses of
     * up to ~13 as well (2.5e-6 there).
     */
    static final double LOSS_TOLERANCE = 1e-4;
    /** 1e-4 max abs on final weights, as required (each step moves a weight by about lr = 1e-4). */
    static final double WEIGHT_TOLERANCE = 1e-4;
    /**
     * The attention key biases are the exception: their exact gradient is zero (softmax ignores a
     * shift common to a score row), so both implementations feed AdamW pure fp32 rounding noise
     * (~1e-8), which AdamW normalises into steps of up to ~lr in a random direction. Both sides stay
     * within 20 steps · lr of the start, so they differ by at most 2 · 20 · lr.
     */
    static final double KEY_BIAS_TOLERANCE = 2 * STEPS * 1e-4;

    /** A head's loader: BertForSequenceClassification::load, BertForTokenClassification::load. */
    @FunctionalInterface
    interface Loader {
        TaskModel load(WeightSource source, BertConfig config, Backend backend, LoadOptions options);
    }

    /**
     * Trains the model in tiny-gelu/modelDir for the trajectory's 20 steps with loss, each step's
     * targets read from its "step{N}." + targetName tensor, and asserts learning rates, gradient
     * norms, losses and final weights; frozen tensors must equal the checkpoint's bit for bit.
     * Prints a one-line summary under label.
     */
    static void run(String label, String trajectory, String modelDir, Loader loader, Loss loss, String targetName,
                    Function<Fixtures.Stored, Targets> targets) {
        run(label, trajectory, modelDir, FreezePolicy.unfreezeTop(2), loader, loss, targetName, targets);
    }

    /** As above, with the trajectory's own freezing policy. */
    static void run(String label, String trajectory, String modelDir, FreezePolicy policy, Loader loader, Loss loss,
                    String targetName, Function<Fixtures.Stored, Targets> targets) {
        Map<String, Fixtures.Stored> expected = Fixtures.read(Fixtures.resource("training/" + trajectory));
        Path dir = Fixtures.resource("tiny-gelu/" + modelDir);
        double[] losses = expected.get("losses").doubles(), norms = expected.get("grad_norms").doubles(),
                lrs = expected.get("lrs").doubles();
        assertEquals(STEPS, losses.length, "steps in " + trajectory);
        try (Backend backend = new CpuBackend(2)) {
            TaskModel model = loader.load(Fixtures.weights(dir), Fixtures.config(dir), backend, LoadOptions.defaults());
            var tuner = new FineTuner(model, policy, new FineTuner.Settings(1e-4,
                    new LrSchedule(LrSchedule.Kind.LINEAR, 4, STEPS), AdamW.Options.defaults().withWeightDecay(0.01),
                    1.0, loss, false, 7));
            double worstLoss = 0, worstLossRelative = 0, worstNormRelative = 0;
            for (int step = 0; step < STEPS; step++) {
                String prefix = "step" + step + ".";
                var batch = new FineTuner.LabelledBatch(Fixtures.batch(expected, prefix),
                        targets.apply(expected.get(prefix + targetName)));
                FineTuner.StepResult result = tuner.step(List.of(batch));
                assertEquals(lrs[step], result.lr(), LR_TOLERANCE, "learning rate of step " + step);
                assertEquals(norms[step], result.gradNorm(), GRAD_NORM_TOLERANCE * norms[step],
                        "gradient norm of step " + step);
                assertEquals(losses[step], result.loss(), LOSS_TOLERANCE, "loss of step " + step);
                double lossError = Math.abs(losses[step] - result.loss());
                worstLoss = Math.max(worstLoss, lossError);
                worstLossRelative = Math.max(worstLossRelative, lossError / Math.abs(losses[step]));
                worstNormRelative = Math.max(worstNormRelative, Math.abs(norms[step] - result.gradNorm()) / norms[step]);
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
            System.out.printf("%s: worst loss error %.3g (relative %.3g), worst relative grad norm error %.3g,"
                            + " worst final weight error %.3g over %d tensors (attention key biases: %.3g)%n",
                    label, worstLoss, worstLossRelative, worstNormRelative, worstWeight, trained, worstKeyBias);
            assertTrue(worstWeight <= WEIGHT_TOLERANCE, "final weights off by " + worstWeight);
        }
    }
}
