/*
 * How a trial's settings become TrainOptions and a `kanna train` command line: the copy changes
 * exactly the named components; each tunable sets its option (unfreeze_top clears --unfreeze all,
 * the layer-wise settings keep each other); flags reproduce the values exactly.
 */
package dev.kanna.tune;

import dev.kanna.train.LayerwiseTraining;
import dev.kanna.trainer.TrainOptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class TunerTest {
    private final TrainOptions base = TrainOptions.builder(Path.of("m"), Path.of("t.jsonl"), Path.of("out"))
            .validation(Path.of("v.jsonl")).unfreezeAll().headLr(3e-3).gradualUnfreeze(true).seed(7).build();

    @Test
    void aCopyWithNoChangesIsTheSameOptions() {
        assertEquals(base, Tuner.with(base, Map.of()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tuner.with(base, Map.of("learningRate", 1.0)));
        assertTrue(e.getMessage().contains("learningRate"), e.getMessage());
    }

    @Test
    void eachTunableSetsItsOption() {
        Map<String, Object> changes = new LinkedHashMap<>();
        Map<Tunable, Object> values = new LinkedHashMap<>();
        values.put(Tunable.LR, 1.5e-4);
        values.put(Tunable.BATCH_SIZE, 16);
        values.put(Tunable.EPOCHS, 4);
        values.put(Tunable.UNFREEZE_TOP, 3);
        values.put(Tunable.WARMUP_RATIO, 0.125);
        values.put(Tunable.WEIGHT_DECAY, 0.05);
        values.put(Tunable.DROPOUT, false);
        values.put(Tunable.LAYER_LR_DECAY, 0.8);
        values.put(Tunable.LABEL_SMOOTHING, 0.1);
        values.forEach((t, v) -> t.apply(changes, base, v));
        TrainOptions o = Tuner.with(base, changes);
        assertEquals(1.5e-4, o.lr());
        assertEquals(16, o.batchSize());
        assertEquals(4.0, o.epochs());
        assertEquals(3, o.unfreezeTop());
        assertNull(o.unfreeze(), "unfreeze_top replaces --unfreeze all");
        assertEquals(0.125, o.warmupRatio());
        assertEquals(0.05, o.weightDecay());
        assertFalse(o.dropout());
        assertEquals(new LayerwiseTraining(0.8, 3e-3, true), o.layerwise(), "the head rate and gradual unfreezing stay");
        assertEquals(0.1, o.labelSmoothing());
        assertEquals(7, o.seed());
        assertEquals(base.validation(), o.validation());
    }

    @Test
    void flagsReproduceTheValuesExactly() {
        double lr = 1.200241635843851E-5;
        assertEquals(List.of("--lr", "1.200241635843851e-5"), Tunable.LR.flags(lr));
        assertEquals(lr, Double.parseDouble(Tunable.LR.flags(lr).get(1)));
        assertEquals(List.of("--batch-size", "16"), Tunable.BATCH_SIZE.flags(16));
        assertEquals(List.of("--epochs", "3"), Tunable.EPOCHS.flags(3.0));
        assertEquals(List.of("--no-dropout"), Tunable.DROPOUT.flags(false));
        assertEquals(List.of(), Tunable.DROPOUT.flags(true));
        assertEquals(List.of("--warmup-ratio", "0.17046569463834435"), Tunable.WARMUP_RATIO.flags(0.17046569463834435));
    }

    @Test
    void shellQuotingKeepsWordsWhole() {
        assertEquals("kanna train --out 'my runs/best' --text-field 'it'\\''s'",
                TuneReport.shell(List.of("kanna", "train", "--out", "my runs/best", "--text-field", "it's")));
    }
}
