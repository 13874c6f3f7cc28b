package dev.kanna.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Kanna's entity scoring on real models' predictions: the PyTorch + transformers peer's NCBI-disease
 * test predictions (tools/reference/train_torch_ner.py --predictions, word, gold and predicted tag per
 * line) of its two runs, top 2 layers and every layer, and the figures the real seqeval gave on them in
 * the same run (its JSON summary, unchanged).
 * Tolerance 1e-12: both divide the same integer counts; only the last bit of a division may differ.
 */
class EntityMetricsPeerTest {

    @ParameterizedTest
    @ValueSource(strings = {"top2", "all"})
    void equalsSeqevalOnThePeersNcbiTestPredictions(String run) throws IOException {
        List<List<String>> gold = new ArrayList<>(), predicted = new ArrayList<>();
        List<String> g = new ArrayList<>(), p = new ArrayList<>();
        try (InputStream raw = getClass().getResourceAsStream("/reference/ner_torch_" + run + "_predictions.tsv.gz");
             BufferedReader in = new BufferedReader(new InputStreamReader(new GZIPInputStream(raw), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                if (line.isEmpty()) {
                    if (!g.isEmpty()) {
                        gold.add(g);
                        predicted.add(p);
                    }
                    g = new ArrayList<>();
                    p = new ArrayList<>();
                    continue;
                }
                String[] f = line.split("\t");
                g.add(f[1]);
                p.add(f[2]);
            }
        }
        if (!g.isEmpty()) {
            gold.add(g);
            predicted.add(p);
        }
        JsonNode seqeval;
        try (InputStream in = getClass().getResourceAsStream("/reference/ner_torch_" + run + ".json")) {
            seqeval = new ObjectMapper().readTree(in).get("test");
        }
        assertEquals(seqeval.get("sentences").asInt(), gold.size(), "sentences");
        EntityMetrics m = EntityMetrics.of(gold, predicted);
        assertEquals(seqeval.get("precision").asDouble(), m.precision(), 1e-12, "precision");
        assertEquals(seqeval.get("recall").asDouble(), m.recall(), 1e-12, "recall");
        assertEquals(seqeval.get("f1").asDouble(), m.f1(), 1e-12, "f1");
        assertEquals(seqeval.get("token_accuracy").asDouble(), m.accuracy(), 1e-12, "accuracy");
        JsonNode disease = seqeval.get("report").get("Disease");
        assertEquals(disease.get("support").asLong(), m.goldEntities(), "gold entities");
    }
}
