/*
 * Reads config.json fields with their types checked (an integer is a JSON integer, not 768.0 or
 * "768") and validates the whole config: sizes positive, hidden_size divisible by the head count,
 * probabilities in [0, 1], a supported architecture. Each failure names the file and the field.
 */
package dev.kanna.bert;

import dev.kanna.backend.Activation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

final class ConfigFields {

    private ConfigFields() {
    }

    static BertConfig.Builder fromJson(ObjectNode json, Path file) {
        ConfigFields.Reader r = new Reader(json, file);
        String modelType = r.string("model_type", null);
        if (modelType != null && !modelType.equals("bert")) {
            throw new ConfigException(file, "model_type", "\"" + modelType + "\" is not supported; expected \"bert\"");
        }
        String positions = r.string("position_embedding_type", null);
        if (positions != null && !positions.equals("absolute")) {
            throw new ConfigException(file, "position_embedding_type",
                    "\"" + positions + "\" is not supported; expected \"absolute\"");
        }
        BertConfig.Builder b = BertConfig.builder();
        b.raw = json.deepCopy();
        b.vocabSize = r.integer("vocab_size", b.vocabSize);
        b.hiddenSize = r.integer("hidden_size", b.hiddenSize);
        b.numHiddenLayers = r.integer("num_hidden_layers", b.numHiddenLayers);
        b.numAttentionHeads = r.integer("num_attention_heads", b.numAttentionHeads);
        b.intermediateSize = r.integer("intermediate_size", b.intermediateSize);
        b.hiddenAct = r.string("hidden_act", b.hiddenAct);
        b.layerNormEps = r.number("layer_norm_eps", b.layerNormEps);
        b.maxPositionEmbeddings = r.integer("max_position_embeddings", b.maxPositionEmbeddings);
        b.typeVocabSize = r.integer("type_vocab_size", b.typeVocabSize);
        b.padTokenId = json.has("pad_token_id") && json.get("pad_token_id").isNull() ? null
                : r.integer("pad_token_id", b.padTokenId);
        b.hiddenDropoutProb = r.number("hidden_dropout_prob", b.hiddenDropoutProb);
        b.attentionProbsDropoutProb = r.number("attention_probs_dropout_prob", b.attentionProbsDropoutProb);
        b.classifierDropout = json.has("classifier_dropout") && !json.get("classifier_dropout").isNull()
                ? r.number("classifier_dropout", 0) : null;
        b.initializerRange = r.number("initializer_range", b.initializerRange);
        b.architectures = r.strings("architectures");
        b.problemType = r.string("problem_type", null);
        readLabels(r, json, file, b);
        return b;
    }

    /** id2label wins over num_labels (as in transformers); ids must be 0..n-1. */
    private static void readLabels(Reader r, ObjectNode json, Path file, BertConfig.Builder b) {
        JsonNode id2label = json.get("id2label");
        if (id2label != null && !id2label.isNull()) {
            if (!id2label.isObject()) throw new ConfigException(file, "id2label", "expected an object {\"0\": \"label\", ...}");
            TreeMap<Integer, String> byId = new TreeMap<>();
            for (Map.Entry<String, JsonNode> e : id2label.properties()) {
                int id;
                try {
                    id = Integer.parseInt(e.getKey());
                } catch (NumberFormatException notAnId) {
                    throw new ConfigException(file, "id2label", "key \"" + e.getKey() + "\" is not an integer id");
                }
                if (!e.getValue().isTextual()) {
                    throw new ConfigException(file, "id2label", "label of id " + id + " is not a string");
                }
                byId.put(id, e.getValue().asText());
            }
            if (byId.isEmpty() || byId.firstKey() != 0 || byId.lastKey() != byId.size() - 1) {
                throw new ConfigException(file, "id2label", "ids must be 0.." + (byId.size() - 1) + " with none missing");
            }
            b.labels = new ArrayList<>(byId.values());
            b.labelsInFile = true;
            JsonNode label2id = json.get("label2id");
            if (label2id != null && !label2id.isNull()) {
                if (!label2id.isObject()) throw new ConfigException(file, "label2id", "expected an object {\"label\": 0, ...}");
                for (Map.Entry<String, JsonNode> e : label2id.properties()) {
                    if (!e.getValue().isIntegralNumber()) {
                        throw new ConfigException(file, "label2id", "id of \"" + e.getKey() + "\" is not an integer");
                    }
                }
            }
        } else if (json.has("num_labels")) {
            int n = r.integer("num_labels", 2);
            if (n < 1) throw new ConfigException(file, "num_labels", "expected a positive integer, found " + n);
            b.labels = new ArrayList<>();
            for (int i = 0; i < n; i++) b.labels.add("LABEL_" + i);
        }
    }

    static void validate(BertConfig.Builder b, Path file) {
        positive(file, "vocab_size", b.vocabSize);
        positive(file, "hidden_size", b.hiddenSize);
        positive(file, "num_hidden_layers", b.numHiddenLayers);
        positive(file, "num_attention_heads", b.numAttentionHeads);
        positive(file, "intermediate_size", b.intermediateSize);
        positive(file, "max_position_embeddings", b.maxPositionEmbeddings);
        positive(file, "type_vocab_size", b.typeVocabSize);
        if (b.hiddenSize % b.numAttentionHeads != 0) {
            throw new ConfigException(file, "num_attention_heads", "hidden_size " + b.hiddenSize
                    + " is not a multiple of num_attention_heads " + b.numAttentionHeads);
        }
        if (Activation.fromHfName(b.hiddenAct) == null) {
            throw new ConfigException(file, "hidden_act", "\"" + b.hiddenAct + "\" is not supported; expected one of "
                    + Activation.supportedNames());
        }
        if (!(b.layerNormEps > 0) || Double.isInfinite(b.layerNormEps)) {
            throw new ConfigException(file, "layer_norm_eps", "expected a positive number, found " + b.layerNormEps);
        }
        probability(file, "hidden_dropout_prob", b.hiddenDropoutProb);
        probability(file, "attention_probs_dropout_prob", b.attentionProbsDropoutProb);
        if (b.classifierDropout != null) probability(file, "classifier_dropout", b.classifierDropout);
        if (!(b.initializerRange >= 0) || Double.isInfinite(b.initializerRange)) {
            throw new ConfigException(file, "initializer_range", "expected a non-negative number, found " + b.initializerRange);
        }
        if (b.padTokenId != null && (b.padTokenId < 0 || b.padTokenId >= b.vocabSize)) {
            throw new ConfigException(file, "pad_token_id", b.padTokenId + " is not a token id below vocab_size " + b.vocabSize);
        }
        if (b.labels.isEmpty()) throw new ConfigException(file, "id2label", "at least one label is needed");
        if (b.labels.stream().distinct().count() != b.labels.size()) {
            throw new ConfigException(file, "id2label", "label names must be distinct: " + b.labels);
        }
        if (b.problemType != null && !BertConfig.problemTypes().contains(b.problemType)) {
            throw new ConfigException(file, "problem_type", "\"" + b.problemType + "\" is not one of "
                    + "regression, single_label_classification, multi_label_classification");
        }
        if ("single_label_classification".equals(b.problemType) && b.labels.size() == 1) {
            throw new ConfigException(file, "problem_type", "single_label_classification needs at least 2 labels");
        }
    }

    private static void positive(Path file, String field, int value) {
        if (value <= 0) throw new ConfigException(file, field, "expected a positive integer, found " + value);
    }

    private static void probability(Path file, String field, double value) {
        if (!(value >= 0 && value <= 1)) {
            throw new ConfigException(file, field, "expected a probability in [0, 1], found " + value);
        }
    }

    /** Typed access to the JSON object, failing with the field's name. */
    private record Reader(ObjectNode json, Path file) {

        int integer(String field, int absent) {
            JsonNode v = json.get(field);
            if (v == null) return absent;
            if (!v.isIntegralNumber() || !v.canConvertToInt()) {
                throw new ConfigException(file, field, "expected an integer, found " + describe(v));
            }
            return v.intValue();
        }

        double number(String field, double absent) {
            JsonNode v = json.get(field);
            if (v == null) return absent;
            if (!v.isNumber()) throw new ConfigException(file, field, "expected a number, found " + describe(v));
            return v.doubleValue();
        }

        String string(String field, String absent) {
            JsonNode v = json.get(field);
            if (v == null || v.isNull()) return absent;
            if (!v.isTextual()) throw new ConfigException(file, field, "expected a string, found " + describe(v));
            return v.asText();
        }

        List<String> strings(String field) {
            JsonNode v = json.get(field);
            if (v == null || v.isNull()) return List.of();
            if (!v.isArray()) throw new ConfigException(file, field, "expected an array of strings, found " + describe(v));
            List<String> out = new ArrayList<>();
            for (JsonNode e : v) {
                if (!e.isTextual()) throw new ConfigException(file, field, "expected strings, found " + describe(e));
                out.add(e.asText());
            }
            return out;
        }

        private static String describe(JsonNode v) {
            String text = v.toString();
            return (v.isTextual() ? "the string " : v.isContainerNode() ? (v.isArray() ? "an array " : "an object ") : "")
                    + (text.length() > 40 ? text.substring(0, 40) + "..." : text);
        }
    }
}
