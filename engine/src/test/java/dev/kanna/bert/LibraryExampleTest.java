/*
 * The package documentation's example, run: load a directory, predict, fine-tune a step, save, and
 * load the saved directory back to the same predictions.
 */
package dev.kanna.bert;

import dev.kanna.backend.Backend;
import dev.kanna.backend.BackendOptions;
import dev.kanna.backend.Backends;
import dev.kanna.optim.AdamW;
import dev.kanna.optim.LrSchedule;
import dev.kanna.train.FineTuner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LibraryExampleTest {

    @Test
    void loadPredictFineTuneSaveReload(@TempDir Path outDir) throws Exception {
        Path dir = Fixtures.resource("tiny-gelu/cls");
        try (Backend backend = Backends.open("cpu", BackendOptions.defaults(), System.err::println)) {
            var model = BertForSequenceClassification.load(dir, backend, LoadOptions.defaults());

            Batch batch = Batch.pad(List.of(new int[]{2, 17, 42, 3}, new int[]{2, 9, 3}), 0);
            float[][] before = model.logits(batch);
            assertEquals(2, before.length);
            assertEquals(3, before[0].length);

            var tuner = new FineTuner(model, FreezePolicy.unfreezeTop(2), new FineTuner.Settings(
                    1e-3, new LrSchedule(LrSchedule.Kind.LINEAR, 0, 1), AdamW.Options.defaults(), 1.0, 0f, null, true, 42));
            FineTuner.StepResult step = tuner.step(List.of(new FineTuner.LabelledBatch(batch, new int[]{0, 1})));
            assertEquals(1, step.step());
            assertTrue(step.loss() > 0);

            model.save(outDir);
            float[][] after = model.logits(batch);
            float[][] reloaded = BertForSequenceClassification.load(outDir, backend, LoadOptions.defaults()).logits(batch);
            for (int i = 0; i < after.length; i++) assertArrayEquals(after[i], reloaded[i]);
            assertTrue(after[0][0] != before[0][0], "the step changed the model");
        }
    }
}
