/*
 * EntityMetrics against the real seqeval: ~300 random cases (well-formed IOB1/IOB2/IOBES, ill-formed
 * and odd tags) scored by seqeval, written by tools/reference/seqeval_fixtures.py.
 */
package dev.kanna.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

class EntityMetricsSeqevalTest {

    // Exact: both sides divide the same integer counts in double and sum the averages in numpy's
    // pairwise order, and JSON carries doubles exactly (shortest round-trip digits both ways), so the
    // figures agree bit for bit. A plain left-to-right sum would be 1 ulp off on some 8+-type cases.
    private static final double TOLERANCE = 0;

    private static JsonNode fixture() throws IOException {
        try (InputStream in = EntityMetricsSeqevalTest.class.getResourceAsStream("/reference/seqeval_cases.json")) {
            assertNotNull(in, "missing reference/seqeval_cases.json; run tools/reference/seqeval_fixtures.py");
            return new ObjectMapper().readTree(in);
        }
    }

    @Test
    void fixtureNamesTheSeqevalCommitThatMadeIt() throws IOException {
        JsonNode root = fixture();
        assertTrue(root.path("seqeval_commit").asText().matches("[0-9a-f]{40}"), root.path("seqeval_commit").asText());
        assertTrue(root.path("cases").size() >= 300);
    }

    @TestFactory
    Stream<DynamicTest> matchesSeqevalOnEveryCase() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : fixture().path("cases")) {
            tests.add(DynamicTest.dynamicTest(c.path("name").asText(), () -> check(c)));
        }
        return tests.stream();
    }

    private static void check(JsonNode c) {
        EntityMetrics m = EntityMetrics.of(sentences(c.path("gold")), sentences(c.path("predicted")));
        JsonNode e = c.path("expected");
        assertFigure(e, "precision", m.precision());
        assertFigure(e, "recall", m.recall());
        assertFigure(e, "f1", m.f1());
        assertFigure(e, "macro_precision", m.macroPrecision());
        assertFigure(e, "macro_recall", m.macroRecall());
        assertFigure(e, "macro_f1", m.macroF1());
        assertFigure(e, "weighted_precision", m.weightedPrecision());
        assertFigure(e, "weighted_recall", m.weightedRecall());
        assertFigure(e, "weighted_f1", m.weightedF1());
        if (e.path("accuracy").isNull()) {
            assertTrue(Double.isNaN(m.accuracy()), "no tokens: seqeval raises, we give NaN");
        } else {
            assertFigure(e, "accuracy", m.accuracy());
        }
        Iterator<Map.Entry<String, JsonNode>> types = e.path("per_type").fields();
        for (EntityMetrics.TypeScores t : m.perType()) {
            assertTrue(types.hasNext(), "type " + t.type() + " is not in seqeval's report");
            Map.Entry<String, JsonNode> expected = types.next();
            assertEquals(expected.getKey(), t.type(), "types in seqeval's order");
            assertFigure(expected.getValue(), "precision", t.precision());
            assertFigure(expected.getValue(), "recall", t.recall());
            assertFigure(expected.getValue(), "f1", t.f1());
            assertEquals(expected.getValue().path("support").asLong(), t.support(), t.type() + " support");
        }
        assertFalse(types.hasNext(), "seqeval reports more types");
        if (!e.path("report").isNull()) assertEquals(e.path("report").asText(), m.toTable(4));
    }

    /** One string of space-separated tags per sentence; "" is an empty sentence. */
    private static List<List<String>> sentences(JsonNode node) {
        List<List<String>> out = new ArrayList<>();
        for (JsonNode s : node) out.add(s.asText().isEmpty() ? List.of() : List.of(s.asText().split(" ")));
        return out;
    }

    private static void assertFigure(JsonNode parent, String field, double actual) {
        JsonNode expected = parent.path(field);
        assertFalse(expected.isMissingNode(), "fixture lacks " + field);
        if (expected.isTextual()) {
            assertEquals("NaN", expected.asText(), field);
            assertTrue(Double.isNaN(actual), field + ": seqeval gives NaN, got " + actual);
        } else {
            assertEquals(expected.asDouble(), actual, TOLERANCE, field);
        }
    }
}
