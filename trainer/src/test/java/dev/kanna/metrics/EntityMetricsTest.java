package dev.kanna.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** seqeval's own test and docstring cases, re-typed, and the edge cases of entity scoring. */
class EntityMetricsTest {

    private static final List<List<String>> MISC_PER_GOLD = List.of(
            List.of("O", "O", "O", "B-MISC", "I-MISC", "I-MISC", "O"), List.of("B-PER", "I-PER", "O"));
    private static final List<List<String>> MISC_PER_PREDICTED = List.of(
            List.of("O", "O", "B-MISC", "I-MISC", "I-MISC", "I-MISC", "O"), List.of("B-PER", "I-PER", "O"));

    @Test
    void precisionRecallFscoreSupportDocstringExample() {
        // seqeval precision_recall_fscore_support docstring: macro, micro and weighted all (0.5, 0.5, 0.5, 2);
        // per type (array([0., 1.]), array([0., 1.]), array([0., 1.]), array([1, 1])).
        var m = EntityMetrics.of(MISC_PER_GOLD, MISC_PER_PREDICTED);
        for (double v : new double[]{m.precision(), m.recall(), m.f1(), m.macroPrecision(), m.macroRecall(), m.macroF1(),
                m.weightedPrecision(), m.weightedRecall(), m.weightedF1()}) {
            assertEquals(0.5, v, 0.0);
        }
        assertEquals(List.of(new EntityMetrics.TypeScores("MISC", 0, 0, 0, 1), new EntityMetrics.TypeScores("PER", 1, 1, 1, 1)),
                m.perType());
        assertEquals(2, m.goldEntities());
        // seqeval accuracy_score docstring: 0.80
        assertEquals(0.8, m.accuracy(), 0.0);
    }

    @Test
    void classificationReportDocstringExample() {
        // seqeval classification_report docstring (digits=2), character for character.
        String expected = """
                              precision    recall  f1-score   support

                        MISC       0.00      0.00      0.00         1
                         PER       1.00      1.00      1.00         1

                   micro avg       0.50      0.50      0.50         2
                   macro avg       0.50      0.50      0.50         2
                weighted avg       0.50      0.50      0.50         2
                """;
        assertEquals(expected, EntityMetrics.of(MISC_PER_GOLD, MISC_PER_PREDICTED).toTable(2));
    }

    @Test
    void f1ScoreDocstringExample() {
        // seqeval f1_score / precision_score / recall_score docstrings: micro 0.6666666666666666,
        // macro 0.75, weighted 0.6666666666666666, per type [0.5, 1.0].
        var m = EntityMetrics.of(
                List.of(List.of("O", "O", "B-MISC", "I-MISC", "B-MISC", "O", "O"), List.of("B-PER", "I-PER", "O")),
                List.of(List.of("O", "O", "B-MISC", "I-MISC", "B-MISC", "I-MISC", "O"), List.of("B-PER", "I-PER", "O")));
        assertEquals(0.6666666666666666, m.f1(), 0.0);
        assertEquals(0.6666666666666666, m.precision(), 0.0);
        assertEquals(0.6666666666666666, m.recall(), 0.0);
        assertEquals(0.75, m.macroF1(), 0.0);
        assertEquals(0.6666666666666666, m.weightedF1(), 0.0);
        assertEquals(0.5, m.perType().get(0).f1(), 0.0);
        assertEquals(1.0, m.perType().get(1).f1(), 0.0);
    }

    @Test
    void conllModeCountsAnEntityStartingWithI() {
        // seqeval test_conll_f1score (and the README's minimum case): f1 1 for None, micro, macro, weighted.
        var m = EntityMetrics.of(List.of(List.of("B-ORG", "I-ORG")), List.of(List.of("I-ORG", "I-ORG")));
        assertEquals(1.0, m.f1(), 0.0);
        assertEquals(1.0, m.macroF1(), 0.0);
        assertEquals(1.0, m.weightedF1(), 0.0);
        assertEquals(1.0, m.perType().getFirst().f1(), 0.0);
    }

    @Test
    void nothingToScore() {
        // seqeval test_undefined_metric_warning: micro f1 of [[]] is 0; test_runtime_warning: macro is
        // numpy's mean of no types, NaN. accuracy_score raises there; we give NaN.
        var m = EntityMetrics.of(List.of(List.of()), List.of(List.of()));
        assertEquals(0.0, m.f1(), 0.0);
        assertTrue(Double.isNaN(m.macroF1()));
        assertEquals(0.0, m.weightedF1(), 0.0);
        assertTrue(Double.isNaN(m.accuracy()));
        assertTrue(m.perType().isEmpty());
    }

    @Test
    void shapesMustMatch() {
        // seqeval test_value_error: ([['O']], [[]]) and ([[]], [['O']]) raise.
        var e = assertThrows(IllegalArgumentException.class,
                () -> EntityMetrics.of(List.of(List.of("O"), List.of("O")), List.of(List.of("O"), List.of())));
        assertEquals("sentence 1: gold has 1 tags but predicted has 0", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> EntityMetrics.of(List.of(List.of()), List.of()));
        assertThrows(IllegalArgumentException.class, () -> EntityMetrics.of(List.of(List.of("O")), List.of(List.of(""))));
    }

    @Test
    void bareIobTagsHaveTypeUnderscore() {
        // seqeval test_get_entities_with_only_IOB: [('_', 3, 5), ('_', 8, 9)].
        List<List<String>> tags = List.of(List.of("O", "O", "O", "B", "I", "I", "O"), List.of("B", "I", "O"));
        var m = EntityMetrics.of(tags, tags);
        assertEquals(List.of(new EntityMetrics.TypeScores("_", 1, 1, 1, 2)), m.perType());
    }

    @Test
    void conll2000GroundTruthMatchesConlleval() throws IOException {
        // seqeval test_by_ground_truth: tests/data/ground_truth.txt against conlleval.pl, which prints
        // "accuracy:  84.08%; precision:  68.83%; recall:  80.83%; FB1:  74.35" (hence 1e-4, as there).
        // The data travels in the oracle fixture's last case.
        var m = groundTruth();
        assertEquals(0.8408, m.accuracy(), 1e-4);
        assertEquals(0.6883, m.precision(), 1e-4);
        assertEquals(0.8083, m.recall(), 1e-4);
        assertEquals(0.7435, m.f1(), 1e-4);
        assertEquals(459, m.goldEntities());
        assertEquals(539, m.predictedEntities());
        assertEquals(371, m.correctEntities());
        // conlleval per type: ADVP 45.45% / 62.50% / 52.63, PP 83.18% / 98.89% / 90.36.
        var advp = m.perType().get(1);
        assertEquals("ADVP", advp.type());
        assertEquals(0.4545, advp.precision(), 1e-4);
        assertEquals(0.6250, advp.recall(), 1e-4);
        assertEquals(0.5263, advp.f1(), 1e-4);
        assertEquals(0.9036, m.perType().get(3).f1(), 1e-4);
    }

    @Test
    void conll2000ReportAsSeqevalPrintsIt() throws IOException {
        // classification_report(y_true, y_pred) on ground_truth.txt; ADVP's recall 0.625 prints as 0.62
        // because Python rounds half to even.
        String expected = """
                              precision    recall  f1-score   support

                        ADJP       0.00      0.00      0.00         6
                        ADVP       0.45      0.62      0.53         8
                          NP       0.65      0.79      0.71       262
                          PP       0.83      0.99      0.90        90
                        SBAR       0.67      0.33      0.44         6
                          VP       0.69      0.79      0.74        87

                   micro avg       0.69      0.81      0.74       459
                   macro avg       0.55      0.59      0.55       459
                weighted avg       0.68      0.81      0.74       459
                """;
        assertEquals(expected, groundTruth().toTable(2));
    }

    @Test
    void noPredictedEntities() {
        var m = EntityMetrics.of(List.of(List.of("B-PER", "O")), List.of(List.of("O", "O")));
        assertEquals(0.0, m.precision(), 0.0);
        assertEquals(0.0, m.recall(), 0.0);
        assertEquals(0.0, m.macroF1(), 0.0);
        assertEquals(0.0, m.weightedF1(), 0.0);
        assertEquals(List.of(new EntityMetrics.TypeScores("PER", 0, 0, 0, 1)), m.perType());
        assertEquals(0.5, m.accuracy(), 0.0);
    }

    @Test
    void noGoldEntities() {
        var m = EntityMetrics.of(List.of(List.of("O", "O")), List.of(List.of("B-PER", "O")));
        assertEquals(0.0, m.precision(), 0.0);
        assertEquals(0.0, m.recall(), 0.0);
        assertEquals(0.0, m.weightedF1(), 0.0);   // seqeval returns 0 when the weights sum to 0
        assertEquals(List.of(new EntityMetrics.TypeScores("PER", 0, 0, 0, 0)), m.perType());
    }

    @Test
    void typeOnlyPredictedCountsInMacroNotWeighted() {
        // Checked with seqeval: micro 0.5 / 1.0 / 0.6666666666666666, macro f1 0.5, weighted f1 1.0.
        var m = EntityMetrics.of(List.of(List.of("B-PER", "O", "O")), List.of(List.of("B-PER", "O", "B-LOC")));
        assertEquals(0.5, m.precision(), 0.0);
        assertEquals(1.0, m.recall(), 0.0);
        assertEquals(0.6666666666666666, m.f1(), 0.0);
        assertEquals(0.5, m.macroF1(), 0.0);
        assertEquals(1.0, m.weightedF1(), 0.0);
        assertEquals("LOC", m.perType().getFirst().type());
        assertEquals(0, m.perType().getFirst().support());
    }

    @Test
    void iob1ScoresLikeItsIob2Form() {
        var iob1 = List.of(List.of("I-PER", "I-PER", "B-PER", "O", "I-LOC"));
        var iob2 = List.of(List.of("B-PER", "I-PER", "B-PER", "O", "B-LOC"));
        var m = EntityMetrics.of(iob1, iob2);
        assertEquals(1.0, m.f1(), 0.0);
        assertEquals(3, m.correctEntities());
        assertEquals(0.6, m.accuracy(), 0.0);   // accuracy compares the tags themselves
    }

    @Test
    void iobesAndBilouScoreAlike() {
        var iobes = List.of(List.of("S-PER", "B-LOC", "I-LOC", "E-LOC", "O", "S-LOC"));
        var bilou = List.of(List.of("U-PER", "B-LOC", "I-LOC", "L-LOC", "O", "U-LOC"));
        var iob2 = List.of(List.of("B-PER", "B-LOC", "I-LOC", "I-LOC", "O", "B-LOC"));
        assertEquals(1.0, EntityMetrics.of(iobes, bilou).f1(), 0.0);
        var m = EntityMetrics.of(bilou, iob2);
        assertEquals(1.0, m.f1(), 0.0);
        assertEquals(3, m.goldEntities());
    }

    @Test
    void entitiesDoNotCrossSentences() {
        var m = EntityMetrics.of(List.of(List.of("B-PER"), List.of("I-PER")), List.of(List.of("B-PER"), List.of("B-PER")));
        assertEquals(2, m.goldEntities());
        assertEquals(1.0, m.f1(), 0.0);
    }

    @Test
    void typesInPythonsCodePointOrder() {
        // sorted(['\uff21', '\U0001F600']) puts the BMP letter first; String.compareTo would not.
        String fullwidthA = "\uFF21", emoji = "\uD83D\uDE00";
        var tags = List.of(List.of("B-" + emoji, "B-" + fullwidthA));
        assertEquals(List.of(fullwidthA, emoji), EntityMetrics.of(tags, tags).perType().stream().map(EntityMetrics.TypeScores::type).toList());
    }

    @Test
    void metricsByName() {
        var m = EntityMetrics.of(MISC_PER_GOLD, MISC_PER_PREDICTED);
        assertEquals(0.5, m.byName("f1"));
        assertEquals(0.5, m.byName("precision"));
        assertEquals(0.5, m.byName("recall"));
        assertEquals(0.5, m.byName("macro_f1"));
        assertEquals(0.5, m.byName("weighted_f1"));
        assertEquals(0.8, m.byName("accuracy"));
        var e = assertThrows(IllegalArgumentException.class, () -> m.byName("auc"));
        assertEquals("unknown metric \"auc\"; expected f1, precision, recall, macro_f1, weighted_f1 or accuracy", e.getMessage());
    }

    @Test
    void jsonForm() {
        Map<String, Object> json = EntityMetrics.of(MISC_PER_GOLD, MISC_PER_PREDICTED).toJson();
        assertEquals(List.of("precision", "recall", "f1", "macro_precision", "macro_recall", "macro_f1",
                "weighted_precision", "weighted_recall", "weighted_f1", "accuracy", "per_type",
                "gold_entities", "predicted_entities", "correct_entities"), new ArrayList<>(json.keySet()));
        assertEquals(Map.of("precision", 1.0, "recall", 1.0, "f1", 1.0, "support", 1L),
                ((Map<?, ?>) json.get("per_type")).get("PER"));
        assertEquals(2L, json.get("predicted_entities"));
        assertEquals(1L, json.get("correct_entities"));
    }

    @Test
    void tableUsesDecimalPointsWhateverTheDefaultLocale() {
        Locale saved = Locale.getDefault();
        Locale.setDefault(Locale.GERMANY);
        try {
            String table = EntityMetrics.of(MISC_PER_GOLD, MISC_PER_PREDICTED).toTable();
            assertTrue(table.contains("0.5000"), table);
            assertFalse(table.contains("0,5000"), table);
        } finally {
            Locale.setDefault(saved);
        }
    }

    private static EntityMetrics groundTruth() throws IOException {
        try (InputStream in = EntityMetricsTest.class.getResourceAsStream("/reference/seqeval_cases.json")) {
            JsonNode cases = new ObjectMapper().readTree(in).path("cases");
            JsonNode c = cases.get(cases.size() - 1);
            assertEquals("conll2000-ground-truth", c.path("name").asText());
            return EntityMetrics.of(sentences(c.path("gold")), sentences(c.path("predicted")));
        }
    }

    private static List<List<String>> sentences(JsonNode node) {
        List<List<String>> out = new ArrayList<>();
        for (JsonNode s : node) out.add(s.asText().isEmpty() ? List.of() : List.of(s.asText().split(" ")));
        return out;
    }
}
