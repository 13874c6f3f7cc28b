/*
 * BertConfig against transformers' BertConfig (bert_config/expected.json, made by
 * tools/reference/bert_config_fixtures.py from the configs in inputs.json): the same values, defaults
 * included. Then writing back (unknown fields kept, transformers' layout) and every kind of bad input.
 */
package dev.kanna.bert;

import dev.kanna.backend.Activation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BertConfigTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode resource(String name) throws Exception {
        return JSON.readTree(BertConfigTest.class.getResource("/bert_config/" + name));
    }

    @Test
    void readsWhatTransformersReads() throws Exception {
        JsonNode inputs = resource("inputs.json");
        JsonNode expected = resource("expected.json");
        for (Map.Entry<String, JsonNode> e : expected.properties()) {
            String name = e.getKey();
            JsonNode want = e.getValue();
            BertConfig c = BertConfig.parse(inputs.get(name).toString(), Path.of(name + ".json"));
            assertEquals(want.get("vocab_size").asInt(), c.vocabSize(), name);
            assertEquals(want.get("hidden_size").asInt(), c.hiddenSize(), name);
            assertEquals(want.get("num_hidden_layers").asInt(), c.numHiddenLayers(), name);
            assertEquals(want.get("num_attention_heads").asInt(), c.numAttentionHeads(), name);
            assertEquals(want.get("intermediate_size").asInt(), c.intermediateSize(), name);
            assertEquals(want.get("hidden_act").asText(), c.hiddenAct(), name);
            assertEquals(want.get("layer_norm_eps").asDouble(), c.layerNormEps(), 0.0, name);
            assertEquals(want.get("max_position_embeddings").asInt(), c.maxPositionEmbeddings(), name);
            assertEquals(want.get("type_vocab_size").asInt(), c.typeVocabSize(), name);
            assertEquals(want.get("pad_token_id").isNull() ? null : want.get("pad_token_id").asInt(), c.padTokenId(), name);
            assertEquals(want.get("hidden_dropout_prob").asDouble(), c.hiddenDropoutProb(), 0.0, name);
            assertEquals(want.get("attention_probs_dropout_prob").asDouble(), c.attentionProbsDropoutProb(), 0.0, name);
            double classifierDropout = want.get("classifier_dropout").isNull()
                    ? want.get("hidden_dropout_prob").asDouble() : want.get("classifier_dropout").asDouble();
            assertEquals(classifierDropout, c.classifierDropout(), 0.0, name);
            assertEquals(want.get("initializer_range").asDouble(), c.initializerRange(), 0.0, name);
            assertEquals(want.get("num_labels").asInt(), c.numLabels(), name);
            assertEquals(strings(want.get("labels")), c.labels(), name);
            assertEquals(strings(want.get("architectures")), c.architectures(), name);
            assertEquals(want.get("problem_type").isNull() ? null : want.get("problem_type").asText(), c.problemType(), name);
        }
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    @Test
    void activationNames() {
        assertEquals(Activation.GELU_ERF, config("{\"hidden_act\":\"gelu\"}").activation());
        assertEquals(Activation.GELU_ERF, config("{\"hidden_act\":\"gelu_python\"}").activation());
        assertEquals(Activation.GELU_TANH, config("{\"hidden_act\":\"gelu_new\"}").activation());
        assertEquals(Activation.GELU_TANH, config("{\"hidden_act\":\"gelu_pytorch_tanh\"}").activation());
        assertEquals(Activation.GELU_TANH, config("{\"hidden_act\":\"gelu_fast\"}").activation());
        assertEquals(Activation.RELU, config("{\"hidden_act\":\"relu\"}").activation());
        assertEquals(Activation.TANH, config("{\"hidden_act\":\"tanh\"}").activation());
    }

    private static BertConfig config(String json) {
        return BertConfig.parse(json, Path.of("config.json"));
    }

    @Test
    void writesBackKeepingUnknownFieldsInTransformersLayout(@TempDir Path dir) throws Exception {
        BertConfig c = BertConfig.parse(resource("inputs.json").get("minilm").toString(), null)
                .withLabels(List.of("ham", "spam"))
                .withArchitectures("BertForSequenceClassification")
                .withProblemType("single_label_classification");
        c.write(dir);
        Path file = dir.resolve("config.json");
        String text = Files.readString(file);
        assertTrue(text.startsWith("{\n  \"_name_or_path\": \"nreimers/MiniLM-L6-H384-uncased\",\n"), text);
        assertTrue(text.contains("\"architectures\": [\n    \"BertForSequenceClassification\"\n  ]"), text);
        assertTrue(text.contains("\"id2label\": {\n    \"0\": \"ham\",\n    \"1\": \"spam\"\n  }"), text);
        assertTrue(text.endsWith("}\n"));

        ObjectNode written = (ObjectNode) JSON.readTree(text);
        assertEquals(false, written.get("gradient_checkpointing").asBoolean(true), "unknown field kept");
        assertEquals("4.8.2", written.get("transformers_version").asText(), "unknown field kept");
        assertEquals(1, written.get("label2id").get("spam").asInt());
        List<String> keys = new ArrayList<>();
        written.fieldNames().forEachRemaining(keys::add);
        assertEquals(keys.stream().sorted().toList(), keys, "keys sorted as transformers writes them");

        BertConfig again = BertConfig.read(file);
        assertEquals(c.toJsonString(), again.toJsonString(), "a written config reads back unchanged");
        assertEquals(List.of("ham", "spam"), again.labels());
        assertEquals("single_label_classification", again.problemType());
        try (var listing = Files.list(dir)) {
            assertEquals(List.of(file), listing.toList(), "no temporary file left");
        }
    }

    @Test
    void builtConfigUsesTransformersDefaults() {
        BertConfig c = BertConfig.builder().hiddenSize(384).numAttentionHeads(12).build();
        assertEquals(32, c.headSize());
        assertEquals(30522, c.vocabSize());
        assertEquals(1e-12, c.layerNormEps());
        JsonNode json = c.toJson();
        assertEquals("bert", json.get("model_type").asText());
        assertFalse(json.has("id2label"), "no labels written unless set");
        assertEquals(0, json.get("pad_token_id").asInt());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            {"model_type": "roberta"}                                  | model_type
            {"position_embedding_type": "relative_key"}                | position_embedding_type
            {"hidden_size": "768"}                                     | hidden_size
            {"hidden_size": 768.0}                                     | hidden_size
            {"hidden_size": 0}                                         | hidden_size
            {"num_hidden_layers": -2}                                  | num_hidden_layers
            {"vocab_size": 99999999999}                                | vocab_size
            {"hidden_size": 100, "num_attention_heads": 12}            | num_attention_heads
            {"hidden_act": "gelu_10"}                                  | hidden_act
            {"hidden_act": 3}                                          | hidden_act
            {"layer_norm_eps": 0}                                      | layer_norm_eps
            {"layer_norm_eps": "1e-12"}                                | layer_norm_eps
            {"hidden_dropout_prob": 1.5}                               | hidden_dropout_prob
            {"attention_probs_dropout_prob": -0.1}                     | attention_probs_dropout_prob
            {"classifier_dropout": true}                               | classifier_dropout
            {"initializer_range": -1}                                  | initializer_range
            {"pad_token_id": 30522}                                    | pad_token_id
            {"id2label": {"zero": "a"}}                                | id2label
            {"id2label": {"0": "a", "2": "b"}}                         | id2label
            {"id2label": {"0": 1}}                                     | id2label
            {"id2label": {"0": "a", "1": "a"}}                         | id2label
            {"label2id": {"a": "0"}, "id2label": {"0": "a"}}           | label2id
            {"num_labels": 0}                                          | num_labels
            {"architectures": "BertModel"}                             | architectures
            {"problem_type": "ranking"}                                | problem_type
            {"problem_type": "single_label_classification", "num_labels": 1} | problem_type
            """)
    void badFieldIsNamedWithTheFile(String json, String field) {
        Path file = Path.of("models", "x", "config.json");
        ConfigException e = assertThrows(ConfigException.class, () -> BertConfig.parse(json, file));
        assertEquals(field, e.field(), e.getMessage());
        assertTrue(e.getMessage().startsWith(file + ": field '" + field + "': "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void malformedJsonNamesTheFileAndPosition() {
        Path file = Path.of("config.json");
        ConfigException e = assertThrows(ConfigException.class, () -> BertConfig.parse("{\n  \"hidden_size\": 12,,\n}", file));
        assertNull(e.field());
        assertTrue(e.getMessage().startsWith("config.json: not valid JSON: "), e.getMessage());
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        ConfigException array = assertThrows(ConfigException.class, () -> BertConfig.parse("[1]", file));
        assertTrue(array.getMessage().contains("expected a JSON object"), array.getMessage());
    }

    @Test
    void missingFileIsOneLine(@TempDir Path dir) {
        ConfigException e = assertThrows(ConfigException.class, () -> BertConfig.read(dir));
        assertTrue(e.getMessage().startsWith(dir.resolve("config.json") + ": "), e.getMessage());
    }
}
