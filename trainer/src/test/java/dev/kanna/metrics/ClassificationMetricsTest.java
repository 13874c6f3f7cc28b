package dev.kanna.metrics;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.*;

class ClassificationMetricsTest {

    @Test
    void matchesHandComputedFigures() {
        // gold:      ham ham ham spam spam
        // predicted: ham spam ham spam ham
        // ham:  tp 2, predicted 3, gold 3 → P 2/3, R 2/3, F1 2/3
        // spam: tp 1, predicted 2, gold 2 → P 1/2, R 1/2, F1 1/2
        var m = ClassificationMetrics.of(List.of("ham", "spam"), new int[]{0, 0, 0, 1, 1}, new int[]{0, 1, 0, 1, 0});
        assertEquals(3.0 / 5, m.accuracy(), 1e-12);
        assertEquals(2.0 / 3, m.precision()[0], 1e-12);
        assertEquals(0.5, m.recall()[1], 1e-12);
        assertEquals((2.0 / 3 + 0.5) / 2, m.macroF1(), 1e-12);
        assertEquals((2.0 / 3 * 3 + 0.5 * 2) / 5, m.weightedF1(), 1e-12);
        assertArrayEquals(new long[]{2, 1}, m.confusion()[0]);
        assertArrayEquals(new long[]{1, 1}, m.confusion()[1]);
    }

    @Test
    void classNeverPredictedHasZeroPrecisionNotNaN() {
        var m = ClassificationMetrics.of(List.of("a", "b"), new int[]{0, 1}, new int[]{0, 0});
        assertEquals(0.0, m.precision()[1]);
        assertEquals(0.0, m.f1()[1]);
        assertTrue(m.toTable().contains("confusion matrix"));
    }

    @Test
    void unknownMetricNameIsRejected() {
        var m = ClassificationMetrics.of(List.of("a"), new int[]{0}, new int[]{0});
        assertThrows(IllegalArgumentException.class, () -> m.byName("auc"));
        assertEquals(1.0, m.byName("macro_f1"));
    }

    @Test
    void tableUsesDecimalPointsWhateverTheDefaultLocale() {
        Locale saved = Locale.getDefault();
        Locale.setDefault(Locale.GERMANY);   // formats 0.5 as "0,5000"
        try {
            var m = ClassificationMetrics.of(List.of("a", "b"), new int[]{0, 1}, new int[]{0, 0});
            String table = m.toTable();
            assertTrue(table.contains("0.5000"), table);
            assertFalse(table.contains("0,5000"), table);
        } finally {
            Locale.setDefault(saved);
        }
    }
}
