/*
 * Twenty masked-LM fine-tuning steps against the same twenty in PyTorch
 * (tools/reference/mlm_fixtures.py; settings and tolerances in TrajectoryReplay). Each step's stored
 * input_ids are already masked (DataCollatorForLanguageModeling's 15%, 80/10/10); its labels hold
 * the original id at the selected positions and −100 elsewhere. Kanna trains through the sparse
 * head: Targets.Selected with those positions of the flattened B·T (ascending) and their ids, so
 * the logits are computed at the selected rows only; transformers computes them everywhere and
 * ignores the −100 rows, which is the same mean cross-entropy.
 *
 * Two trajectories: every parameter trainable (the tied decoder/word embedding receives both
 * gradients), and top 2 of 3 layers, where — in transformers as in Kanna — freezing the embeddings
 * freezes the decoder (one tensor) while cls.predictions.transform.* and cls.predictions.bias train.
 */
package dev.kanna.train;

import dev.kanna.backend.Backend;
import dev.kanna.backend.cpu.CpuBackend;
import dev.kanna.bert.BertForMaskedLM;
import dev.kanna.bert.Fixtures;
import dev.kanna.bert.FreezePolicy;
import dev.kanna.bert.LoadOptions;
import dev.kanna.optim.AdamW;
import dev.kanna.optim.LrSchedule;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;

class MaskedLmTrajectoryParityTest {

    @Test
    void everyParameterTrainableMatchesPyTorch() {
        TrajectoryReplay.run("trajectory-mlm", "trajectory-mlm.safetensors", "mlm", FreezePolicy.all(),
                BertForMaskedLM::load, new Loss.CrossEntropy(null, 0f), "labels", s -> selected(s.ints()));
    }

    @Test
    void topTwoLayersMatchPyTorch() {
        TrajectoryReplay.run("trajectory-mlm-top2", "trajectory-mlm-top2.safetensors", "mlm", FreezePolicy.unfreezeTop(2),
                BertForMaskedLM::load, new Loss.CrossEntropy(null, 0f), "labels", s -> selected(s.ints()));
    }

    /** The dense head (every position, −100 ignored) gives the sparse head's loss on step 0's batch. */
    @Test
    void denseTargetsGiveTheSameStepZeroLoss() {
        Map<String, Fixtures.Stored> expected = Fixtures.read(Fixtures.resource("training/trajectory-mlm.safetensors"));
        Path dir = Fixtures.resource("tiny-gelu/mlm");
        int[] labels = expected.get("step0.labels").ints();
        try (Backend backend = new CpuBackend(2)) {
            var model = BertForMaskedLM.load(Fixtures.weights(dir), Fixtures.config(dir), backend, LoadOptions.defaults());
            var tuner = new FineTuner(model, FreezePolicy.all(), new FineTuner.Settings(1e-4,
                    new LrSchedule(LrSchedule.Kind.LINEAR, 4, TrajectoryReplay.STEPS),
                    AdamW.Options.defaults().withWeightDecay(0.01), 1.0, new Loss.CrossEntropy(null, 0f), false, 7));
            var batch = Fixtures.batch(expected, "step0.");
            double dense = tuner.accumulate(new FineTuner.LabelledBatch(batch, new Targets.Classes(labels)), 0, 1.0);
            double sparse = tuner.accumulate(new FineTuner.LabelledBatch(batch, selected(labels)), 0, 1.0);
            assertEquals(dense, sparse, 1e-6 * Math.abs(dense), "dense and sparse step-0 loss");
            assertEquals(expected.get("losses").doubles()[0], sparse, TrajectoryReplay.LOSS_TOLERANCE, "step-0 loss");
        }
    }

    /** The positions (of the flattened B·T) whose label is not −100, ascending, and their labels. */
    static Targets.Selected selected(int[] labels) {
        int[] rows = IntStream.range(0, labels.length).filter(i -> labels[i] != -100).toArray();
        return new Targets.Selected(rows, Arrays.stream(rows).map(i -> labels[i]).toArray());
    }
}
