/*
 * A BERT's config.json, as transformers' BertConfig reads it: the same fields and the same defaults
 * when a field is absent. Every field is type- and range-checked (ConfigException names the file and
 * field). Fields we do not model are kept verbatim, so writing a config back loses nothing: write()
 * overlays our values on the JSON tree we read, with keys sorted as transformers writes them.
 */
package dev.kanna.bert;

import dev.kanna.backend.Activation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kanna.io.AtomicFiles;
import dev.kanna.io.PrettyJson;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

public final class BertConfig {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> PROBLEM_TYPES =
            Set.of("regression", "single_label_classification", "multi_label_classification");

    private final int vocabSize;
    private final int hiddenSize;
    private final int numHiddenLayers;
    private final int numAttentionHeads;
    private final int intermediateSize;
    private final String hiddenAct;
    private final double layerNormEps;
    private final int maxPositionEmbeddings;
    private final int typeVocabSize;
    private final Integer padTokenId;          // null: none
    private final double hiddenDropoutProb;
    private final double attentionProbsDropoutProb;
    private final Double classifierDropout;    // null: use hiddenDropoutProb, as transformers does
    private final double initializerRange;
    private final List<String> labels;         // id2label in id order
    private final boolean labelsInFile;        // write id2label/label2id back (absent = transformers' default)
    private final List<String> architectures;
    private final String problemType;          // null: none
    private final ObjectNode raw;              // everything read, unknown fields included

    private BertConfig(Builder b) {
        vocabSize = b.vocabSize;
        hiddenSize = b.hiddenSize;
        numHiddenLayers = b.numHiddenLayers;
        numAttentionHeads = b.numAttentionHeads;
        intermediateSize = b.intermediateSize;
        hiddenAct = b.hiddenAct;
        layerNormEps = b.layerNormEps;
        maxPositionEmbeddings = b.maxPositionEmbeddings;
        typeVocabSize = b.typeVocabSize;
        padTokenId = b.padTokenId;
        hiddenDropoutProb = b.hiddenDropoutProb;
        attentionProbsDropoutProb = b.attentionProbsDropoutProb;
        classifierDropout = b.classifierDropout;
        initializerRange = b.initializerRange;
        labels = List.copyOf(b.labels);
        labelsInFile = b.labelsInFile;
        architectures = List.copyOf(b.architectures);
        problemType = b.problemType;
        raw = b.raw.deepCopy();
    }

    // ---------------------------------------------------------------------------------------------
    // Reading

    /** Reads {@code path}: a config.json file, or a model directory holding one. */
    public static BertConfig read(Path path) throws IOException {
        Path file = Files.isDirectory(path) ? path.resolve("config.json") : path;
        if (!Files.isRegularFile(file)) {
            throw new ConfigException(file, null, "no such file (expected a Hugging Face config.json)");
        }
        return parse(Files.readString(file), file);
    }

    /** Parses config.json text; {@code file} only names the source in error messages (may be null). */
    public static BertConfig parse(String json, Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new ConfigException(file, null, "not valid JSON: " + e.getOriginalMessage()
                    + " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")");
        }
        if (!(root instanceof ObjectNode object)) {
            throw new ConfigException(file, null, "expected a JSON object at the top level");
        }
        return ConfigFields.fromJson(object, file).build(file);
    }

    // ---------------------------------------------------------------------------------------------
    // Writing

    /** This config as transformers' config.json: the tree read, with our fields overlaid, keys sorted. */
    public ObjectNode toJson() {
        ObjectNode out = raw.deepCopy();
        out.put("model_type", "bert");
        out.put("vocab_size", vocabSize);
        out.put("hidden_size", hiddenSize);
        out.put("num_hidden_layers", numHiddenLayers);
        out.put("num_attention_heads", numAttentionHeads);
        out.put("intermediate_size", intermediateSize);
        out.put("hidden_act", hiddenAct);
        out.put("layer_norm_eps", layerNormEps);
        out.put("max_position_embeddings", maxPositionEmbeddings);
        out.put("type_vocab_size", typeVocabSize);
        if (padTokenId == null) out.putNull("pad_token_id");
        else out.put("pad_token_id", padTokenId);
        out.put("hidden_dropout_prob", hiddenDropoutProb);
        out.put("attention_probs_dropout_prob", attentionProbsDropoutProb);
        if (classifierDropout != null) out.put("classifier_dropout", classifierDropout);
        else if (out.has("classifier_dropout")) out.putNull("classifier_dropout");
        out.put("initializer_range", initializerRange);
        if (!architectures.isEmpty()) {
            ArrayNode a = out.putArray("architectures");
            architectures.forEach(a::add);
        }
        if (problemType != null) out.put("problem_type", problemType);
        else out.remove("problem_type");
        if (labelsInFile) {
            ObjectNode id2label = out.putObject("id2label");
            ObjectNode label2id = out.putObject("label2id");
            for (int i = 0; i < labels.size(); i++) {
                id2label.put(Integer.toString(i), labels.get(i));
                label2id.put(labels.get(i), i);
            }
        }
        if (out.has("num_labels")) out.put("num_labels", labels.size());
        return sorted(out);
    }

    /** Writes config.json atomically ({@code path}: the file, or a directory to write config.json into). */
    public void write(Path path) throws IOException {
        Path file = Files.isDirectory(path) ? path.resolve("config.json") : path;
        AtomicFiles.writeString(file, toJsonString());
    }

    /** The JSON text as written: 2-space indent, {@code "key": value}, trailing newline (as json.dumps). */
    public String toJsonString() {
        return PrettyJson.write(toJson());
    }

    private static ObjectNode sorted(ObjectNode node) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        TreeMap<String, JsonNode> fields = new TreeMap<>();
        node.fields().forEachRemaining(e -> fields.put(e.getKey(), e.getValue()));
        fields.forEach((k, v) -> out.set(k, v instanceof ObjectNode o ? sorted(o) : v));
        return out;
    }

    // ---------------------------------------------------------------------------------------------
    // Values

    public int vocabSize() { return vocabSize; }
    public int hiddenSize() { return hiddenSize; }
    public int numHiddenLayers() { return numHiddenLayers; }
    public int numAttentionHeads() { return numAttentionHeads; }
    public int intermediateSize() { return intermediateSize; }
    /** hidden_size / num_attention_heads (validated to divide exactly). */
    public int headSize() { return hiddenSize / numAttentionHeads; }
    /** The hidden_act name as written (e.g. "gelu_python"); see {@link #activation()} for its function. */
    public String hiddenAct() { return hiddenAct; }
    public Activation activation() { return Activation.fromHfName(hiddenAct); }
    public double layerNormEps() { return layerNormEps; }
    public int maxPositionEmbeddings() { return maxPositionEmbeddings; }
    public int typeVocabSize() { return typeVocabSize; }
    /** The padding token id, or null when the config has none. */
    public Integer padTokenId() { return padTokenId; }
    public double hiddenDropoutProb() { return hiddenDropoutProb; }
    public double attentionProbsDropoutProb() { return attentionProbsDropoutProb; }
    /** The classifier's dropout: classifier_dropout when set, else hidden_dropout_prob (as transformers). */
    public double classifierDropout() { return classifierDropout != null ? classifierDropout : hiddenDropoutProb; }
    public double initializerRange() { return initializerRange; }
    public int numLabels() { return labels.size(); }
    /** Label names in id order (transformers' id2label; LABEL_0, LABEL_1 when the file has none). */
    public List<String> labels() { return labels; }
    public Map<String, Integer> label2id() {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (int i = 0; i < labels.size(); i++) m.put(labels.get(i), i);
        return m;
    }
    public List<String> architectures() { return architectures; }
    /** problem_type, or null. */
    public String problemType() { return problemType; }
    /** A copy of the JSON tree as read (unknown fields included). */
    public ObjectNode raw() { return raw.deepCopy(); }

    // ---------------------------------------------------------------------------------------------
    // Changing

    /** A classification config: id2label/label2id from {@code names} (in id order). */
    public BertConfig withLabels(List<String> names) {
        Builder b = toBuilder();
        b.labels = new ArrayList<>(names);
        b.labelsInFile = true;
        return b.build(null);
    }

    public BertConfig withArchitectures(String... names) {
        Builder b = toBuilder();
        b.architectures = List.of(names);
        return b.build(null);
    }

    public BertConfig withProblemType(String type) {
        Builder b = toBuilder();
        b.problemType = type;
        return b.build(null);
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.vocabSize = vocabSize;
        b.hiddenSize = hiddenSize;
        b.numHiddenLayers = numHiddenLayers;
        b.numAttentionHeads = numAttentionHeads;
        b.intermediateSize = intermediateSize;
        b.hiddenAct = hiddenAct;
        b.layerNormEps = layerNormEps;
        b.maxPositionEmbeddings = maxPositionEmbeddings;
        b.typeVocabSize = typeVocabSize;
        b.padTokenId = padTokenId;
        b.hiddenDropoutProb = hiddenDropoutProb;
        b.attentionProbsDropoutProb = attentionProbsDropoutProb;
        b.classifierDropout = classifierDropout;
        b.initializerRange = initializerRange;
        b.labels = new ArrayList<>(labels);
        b.labelsInFile = labelsInFile;
        b.architectures = architectures;
        b.problemType = problemType;
        b.raw = raw.deepCopy();
        return b;
    }

    /** transformers' BertConfig defaults (bert-base), for configs built in code. */
    public static Builder builder() {
        return new Builder();
    }

    /** Mutable fields with transformers' defaults; build() validates them all. */
    public static final class Builder {
        int vocabSize = 30522;
        int hiddenSize = 768;
        int numHiddenLayers = 12;
        int numAttentionHeads = 12;
        int intermediateSize = 3072;
        String hiddenAct = "gelu";
        double layerNormEps = 1e-12;
        int maxPositionEmbeddings = 512;
        int typeVocabSize = 2;
        Integer padTokenId = 0;
        double hiddenDropoutProb = 0.1;
        double attentionProbsDropoutProb = 0.1;
        Double classifierDropout = null;
        double initializerRange = 0.02;
        List<String> labels = new ArrayList<>(List.of("LABEL_0", "LABEL_1"));
        boolean labelsInFile = false;
        List<String> architectures = List.of();
        String problemType = null;
        ObjectNode raw = JsonNodeFactory.instance.objectNode();

        public Builder vocabSize(int v) { vocabSize = v; return this; }
        public Builder hiddenSize(int v) { hiddenSize = v; return this; }
        public Builder numHiddenLayers(int v) { numHiddenLayers = v; return this; }
        public Builder numAttentionHeads(int v) { numAttentionHeads = v; return this; }
        public Builder intermediateSize(int v) { intermediateSize = v; return this; }
        public Builder hiddenAct(String v) { hiddenAct = v; return this; }
        public Builder layerNormEps(double v) { layerNormEps = v; return this; }
        public Builder maxPositionEmbeddings(int v) { maxPositionEmbeddings = v; return this; }
        public Builder typeVocabSize(int v) { typeVocabSize = v; return this; }
        public Builder padTokenId(Integer v) { padTokenId = v; return this; }
        public Builder hiddenDropoutProb(double v) { hiddenDropoutProb = v; return this; }
        public Builder attentionProbsDropoutProb(double v) { attentionProbsDropoutProb = v; return this; }
        public Builder classifierDropout(Double v) { classifierDropout = v; return this; }
        public Builder initializerRange(double v) { initializerRange = v; return this; }
        public Builder labels(List<String> v) { labels = new ArrayList<>(v); labelsInFile = true; return this; }
        public Builder architectures(List<String> v) { architectures = List.copyOf(v); return this; }
        public Builder problemType(String v) { problemType = v; return this; }

        public BertConfig build() {
            return build(null);
        }

        BertConfig build(Path file) {
            ConfigFields.validate(this, file);
            return new BertConfig(this);
        }
    }

    @Override
    public String toString() {
        return "BertConfig(layers=" + numHiddenLayers + ", hidden=" + hiddenSize + ", heads=" + numAttentionHeads
                + ", intermediate=" + intermediateSize + ", vocab=" + vocabSize + ", act=" + hiddenAct + ")";
    }

    static Set<String> problemTypes() {
        return PROBLEM_TYPES;
    }
}
