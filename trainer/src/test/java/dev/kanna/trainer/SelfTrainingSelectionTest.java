/*
 * Which predictions become pseudo-labels: those at or above the confidence, as many per class as the
 * labelled data's class shares allow, the most probable first; counts worked out by hand.
 */
package dev.kanna.trainer;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.*;

class SelfTrainingSelectionTest {

    private static final Map<String, Long> LABELLED = new TreeMap<>(Map.of("ham", 16L, "spam", 8L));   // 2 : 1

    @Test
    void confidentPredictionsAreKeptInTheLabelledClassShares() {
        List<SelfTraining.Prediction> predictions = new ArrayList<>();
        // Rows 0..19: ham at 0.80, 0.81, ..., 0.99 (all confident); rows 20..25: spam at 0.95 (confident);
        // rows 26..29: spam and ham at 0.7 (not confident at 0.9).
        for (int i = 0; i < 20; i++) predictions.add(new SelfTraining.Prediction(i, "ham", 0.80 + i * 0.01));
        for (int i = 20; i < 26; i++) predictions.add(new SelfTraining.Prediction(i, "spam", 0.95));
        for (int i = 26; i < 30; i++) predictions.add(new SelfTraining.Prediction(i, i % 2 == 0 ? "spam" : "ham", 0.7));

        // At 0.8: 20 ham, 6 spam confident. n = min(⌊20·24/16⌋ = 30, ⌊6·24/8⌋ = 18) = 18: ⌊18·16/24⌋ = 12 ham
        // (the most probable: rows 8..19) and ⌊18·8/24⌋ = 6 spam (rows 20..25).
        List<SelfTraining.Prediction> kept = SelfTraining.select(predictions, LABELLED, 0.8);
        List<Integer> rows = kept.stream().map(SelfTraining.Prediction::row).toList();
        List<Integer> expected = new ArrayList<>();
        for (int i = 8; i < 26; i++) expected.add(i);
        assertEquals(expected, rows);

        // At 0.895: ham rows 10..19 (0.90 and up, 10) and the 6 spam. n = min(⌊10·24/16⌋ = 15, 18) = 15: 10 ham, 5 spam.
        // The spam rows tie at 0.95: the earlier rows win.
        kept = SelfTraining.select(predictions, LABELLED, 0.895);
        rows = kept.stream().map(SelfTraining.Prediction::row).toList();
        expected.clear();
        for (int i = 10; i < 25; i++) expected.add(i);
        assertEquals(expected, rows);
    }

    @Test
    void aClassWithoutAConfidentPredictionMeansNoneAreKept() {
        List<SelfTraining.Prediction> predictions = List.of(new SelfTraining.Prediction(0, "ham", 0.99),
                new SelfTraining.Prediction(1, "ham", 0.98), new SelfTraining.Prediction(2, "spam", 0.6));
        assertEquals(List.of(), SelfTraining.select(predictions, LABELLED, 0.9));
        assertEquals(2, SelfTraining.select(predictions, Map.of("ham", 1L, "spam", 1L), 0.5).size(),
                "at 0.5 one of each: the likelier ham, and the spam");
    }

    @Test
    void settingsOutsideTheirRangeAreOneLine() {
        for (double c : new double[]{0, 1, -0.1, 1.5, Double.NaN}) {
            var e = assertThrows(IllegalArgumentException.class, () -> new SelfTraining.Settings(java.nio.file.Path.of("u.txt"), 1, c));
            assertEquals("--confidence must be in (0, 1), got " + c, e.getMessage());
        }
        var e = assertThrows(IllegalArgumentException.class, () -> new SelfTraining.Settings(java.nio.file.Path.of("u.txt"), 0, 0.9));
        assertEquals("--self-training must be ≥ 1 round, got 0", e.getMessage());
    }
}
