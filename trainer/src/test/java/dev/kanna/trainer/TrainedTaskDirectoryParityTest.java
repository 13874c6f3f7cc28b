package dev.kanna.trainer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kanna.bert.Batch;
import dev.kanna.bert.BertConfig;
import dev.kanna.data.Example;
import dev.kanna.task.Tasks;
import dev.kanna.tokenizer.BertTokenizer;
import dev.kanna.tokenizer.Encoding;
import dev.kanna.tokenizer.Padding;
import dev.kanna.tokenizer.Truncation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * tiny/trained-token/, trained-multilabel/ and trained-regression/ are directories `kanna train
 * --task ...` wrote; tools/reference/task_trained_fixtures.py --check loaded them with transformers'
 * AutoModelForTokenClassification / AutoModelForSequenceClassification (no missing, unexpected or
 * mismatched keys) and recorded their token ids, outputs, and for token classification the entities
 * of pipeline("token-classification", aggregation_strategy="first"). Kanna must read the same
 * directories as the same task, into the same ids, outputs and entities.
 */
class TrainedTaskDirectoryParityTest {
    /** fp32 on both sides, different summation orders over a 2-layer model: agreement to ~1e-6, checked at 1e-4. */
    private static final double TOLERANCE = 1e-4;

    private static Path root(String task) throws Exception {
        return Path.of(TrainedTaskDirectoryParityTest.class.getResource("/tiny/trained-" + task + "/config.json").toURI())
                .getParent();
    }

    private static JsonNode expected(String task) throws Exception {
        return new ObjectMapper().readTree(root(task).resolveSibling("trained-" + task + "_expected.json").toFile());
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    @ParameterizedTest
    @CsvSource({
            "token,      token-classification, BertForTokenClassification,     ",
            "multilabel, multi-label,          BertForSequenceClassification, multi_label_classification",
            "regression, regression,           BertForSequenceClassification, regression",
    })
    void transformersAndKannaReadTheSameTaskAndOutputs(String dir, String task, String architecture, String problemType)
            throws Exception {
        Path root = root(dir);
        JsonNode expected = expected(dir);
        boolean perToken = task.equals("token-classification");

        // The config round trip: what Kanna wrote, transformers read back, and Kanna reads as the same task.
        assertEquals(List.of(architecture), strings(expected.get("architectures")));
        assertEquals(problemType, expected.get("problem_type").isNull() ? null : expected.get("problem_type").asText());
        BertConfig config = BertConfig.read(root.resolve("config.json"));
        assertEquals(List.of(architecture), config.architectures());
        assertEquals(problemType, config.problemType());
        assertEquals(task, Tasks.of(config).name());

        List<String> texts = strings(expected.get("texts"));
        BertTokenizer tokenizer = BertTokenizer.load(root).withPadding(Padding.longest());
        if (expected.has("max_length")) tokenizer = tokenizer.withTruncation(Truncation.of(expected.get("max_length").asInt()));
        List<Encoding> encodings = tokenizer.encodeBatch(texts);
        int b = texts.size(), t = encodings.getFirst().size();
        int[] ids = new int[b * t], types = new int[b * t], mask = new int[b * t];
        for (int i = 0; i < b; i++) {
            Encoding e = encodings.get(i);
            assertEquals(expected.get("input_ids").get(i).size(), e.size(), "length of text " + i);
            for (int j = 0; j < t; j++) {
                assertEquals(expected.get("input_ids").get(i).get(j).asInt(), e.ids()[j], "token " + j + " of text " + i);
                assertEquals(expected.get("attention_mask").get(i).get(j).asInt(), e.attentionMask()[j]);
            }
            System.arraycopy(e.ids(), 0, ids, i * t, t);
            System.arraycopy(e.typeIds(), 0, types, i * t, t);
            System.arraycopy(e.attentionMask(), 0, mask, i * t, t);
        }

        List<String> log = new ArrayList<>();
        try (FineTunedModel model = FineTunedModel.load(root, "cpu", 2, 0, log::add)) {
            assertEquals(task, model.task().name());
            assertEquals(strings(expected.get("labels")), model.labels());
            assertEquals(perToken, model.model().perToken());
            for (String line : log) assertFalse(line.contains("no weights for"), "every tensor loads: " + line);
            int k = model.labels().size();
            float[] out = model.model().outputs(new Batch(b, t, ids, types, mask));
            assertEquals(b * (perToken ? t : 1) * k, out.length);
            for (int i = 0; i < b; i++) {
                for (int j = 0; j < (perToken ? t : 1); j++) {
                    // Padding positions are compared too: both attend only to the unpadded keys.
                    JsonNode row = perToken ? expected.get("outputs").get(i).get(j) : expected.get("outputs").get(i);
                    for (int c = 0; c < k; c++) {
                        assertEquals(row.get(c).asDouble(), out[((i * (perToken ? t : 1)) + j) * k + c], TOLERANCE,
                                "text " + i + " position " + j + " output " + c);
                    }
                }
            }
        }
    }

    @Test
    void predictFindsTheEntitiesOfTransformersPipeline() throws Exception {
        JsonNode expected = expected("token");
        List<String> lines = strings(expected.get("texts"));
        List<Example> inputs = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) inputs.add(Example.unlabelled(lines.get(i), null, i + 1));
        try (FineTunedModel model = FineTunedModel.load(root("token"), "cpu", 2, 0, line -> { })) {
            List<Map<String, Object>> predictions = model.predict(inputs, 2);
            int total = 0;
            for (int i = 0; i < lines.size(); i++) {
                JsonNode want = expected.get("pipeline_entities").get(i);
                @SuppressWarnings("unchecked")
                List<Map<String, Object>> got = (List<Map<String, Object>>) predictions.get(i).get("entities");
                assertEquals(want.size(), got.size(), "entities of line " + i + ": " + got + " vs " + want);
                for (int e = 0; e < got.size(); e++) {
                    JsonNode w = want.get(e);
                    Map<String, Object> g = got.get(e);
                    String where = "line " + i + " entity " + e, line = lines.get(i);
                    assertEquals(w.get("entity_group").asText(), g.get("label"), where);
                    // Both count code points (Python str indices), so the emoji line's offsets agree too.
                    assertEquals(w.get("start").asInt(), g.get("start"), where);
                    assertEquals(w.get("end").asInt(), g.get("end"), where);
                    assertEquals(line.substring(line.offsetByCodePoints(0, w.get("start").asInt()),
                            line.offsetByCodePoints(0, w.get("end").asInt())), g.get("text"));
                    // The pipeline's float32 softmax and mean against Kanna's, from logits that agree to ~1e-6.
                    assertEquals(w.get("score").asDouble(), (Double) g.get("score"), TOLERANCE, where);
                    total++;
                }
            }
            assertTrue(total >= 3, "the fixture exercises entities: " + total);
            String emoji = lines.getLast();
            assertTrue(emoji.codePointCount(0, emoji.length()) < emoji.length(), "the last line reaches beyond the BMP");
            assertTrue(expected.at("/pipeline_entities/" + (lines.size() - 1)).size() > 0, "an entity after the emoji");
        }
    }
}
