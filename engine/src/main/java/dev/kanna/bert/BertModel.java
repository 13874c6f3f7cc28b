/*
 * The BERT encoder: embeddings, the layer stack and (optionally) the pooler, as transformers'
 * BertModel. Parameters carry canonical HF names with the "bert." prefix; a checkpoint without the
 * prefix (a bare BertModel's save_pretrained, an ONNX import) loads the same.
 *
 *   hidden = embeddings(ids, typeIds)            // (B, T, C)
 *   hidden = layer_i(hidden, maskBias) for each  // (B, T, C)
 *   pooled = tanh(dense(hidden[:, 0]))           // (B, C), when there is a pooler
 */
package dev.kanna.bert;

import dev.kanna.autograd.Ops;
import dev.kanna.autograd.Parameter;
import dev.kanna.backend.Backend;
import dev.kanna.backend.Scope;
import dev.kanna.tensor.HostTensor;
import dev.kanna.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

public final class BertModel implements PretrainedBert {

    /** How embed() turns token states into one vector per sequence. */
    public enum Pooling {
        /** The attention-masked mean over tokens (sentence-transformers' default). */
        MEAN,
        /** The first ([CLS]) position's state. */
        CLS
    }

    private final BertConfig config;
    private final BertEmbeddings embeddings;
    private final BertEncoder encoder;
    private final BertPooler pooler;    // null when the architecture has none (masked LM, embeddings)

    BertModel(Weights bert, BertConfig config, boolean withPooler) {
        this.config = config;
        this.embeddings = new BertEmbeddings(bert.at("embeddings"), config);
        this.encoder = new BertEncoder(bert.at("encoder"), config);
        this.pooler = withPooler ? new BertPooler(bert.at("pooler"), config) : null;
    }

    /**
     * Loads a bare BertModel (no pooler unless the checkpoint has one: sentence-embedding models
     * usually do not). Weights are widened to fp32 and uploaded to backend.
     */
    public static BertModel load(WeightSource source, BertConfig config, Backend backend, LoadOptions options) {
        boolean hasPooler = source.names().contains("bert.pooler.dense.weight")
                || source.names().contains("pooler.dense.weight");
        return ModelLoading.load(source, config, backend, options, w -> new BertModel(w.at("bert"), config, hasPooler));
    }

    /** Loads a Hugging Face model directory (config.json, model.safetensors) as a bare BertModel. */
    public static BertModel load(Path dir, Backend backend, LoadOptions options) throws IOException {
        BertConfig config = BertConfig.read(dir);
        try (SafetensorsWeights weights = SafetensorsWeights.open(dir)) {
            return load(weights, config, backend, options);
        }
    }

    /** inputs → last hidden state (B, T, C). */
    public Tensor forward(Ops ops, BertInputs inputs) {
        return forwardTo(ops, inputs, encoder.size());
    }

    /** inputs → the output of the embeddings and the first `layers` encoder layers (B, T, C). */
    public Tensor forwardTo(Ops ops, BertInputs inputs, int layers) {
        Tensor hidden = embeddings.forward(ops, inputs.ids(), inputs.typeIds());   // (B, T, C)
        return encoder.forward(ops, hidden, inputs.maskBias(), 0, layers);          // (B, T, C)
    }

    /**
     * The states entering layer inputs.layer() → last hidden state (B, T, C), running only the layers
     * from there up. Takes ownership of inputs.hidden() (released once consumed when nothing records it).
     */
    public Tensor forward(Ops ops, HiddenInputs inputs) {
        if (inputs.hidden().rank() != 3 || inputs.hidden().dim(2) != config.hiddenSize()) {
            throw new IllegalArgumentException("hidden states " + inputs.hidden() + " for a model of hidden size "
                    + config.hiddenSize());
        }
        return encoder.forward(ops, inputs.hidden(), inputs.maskBias(), inputs.layer(), encoder.size());
    }

    /** The pooler's output (B, C) for a last hidden state (B, T, C). */
    public Tensor pool(Ops ops, Tensor hidden, BertInputs inputs) {
        return pool(ops, hidden, inputs.clsRows());
    }

    /** The pooler's output (B, C) for a last hidden state (B, T, C) and each sequence's first row clsRows (B). */
    public Tensor pool(Ops ops, Tensor hidden, Tensor clsRows) {
        if (pooler == null) throw new IllegalStateException("this model has no pooler");
        return pooler.forward(ops, hidden, clsRows);
    }

    /**
     * How many bottom encoder layers form a frozen lower stack with the embeddings: the layers below
     * the first one with a trainable parameter, or 0 when an embedding parameter trains. Their output
     * depends on the weights and the batch only (dropout aside), so it can be computed once and cached.
     */
    public int frozenLowerLayers() {
        return embeddingsTrain() ? 0 : encoder.frozenBottom();
    }

    /** Whether any embedding parameter trains. */
    public boolean embeddingsTrain() {
        return embeddings.parameters().stream().anyMatch(Parameter::trainable);
    }

    /** Inference: the last hidden state of each sequence, [b][t][c], padding positions included. */
    public float[][][] lastHiddenState(Batch batch) {
        Backend backend = backend();
        try (Scope ignored = backend.scope()) {
            Tensor hidden = forward(Ops.inference(backend), BertInputs.upload(backend, batch, config));
            return HostArrays.split3(backend.download(hidden), batch.size(), batch.length(), config.hiddenSize());
        }
    }

    /** Inference: one vector per sequence, pooled as asked over the last hidden state. */
    public float[][] embed(Batch batch, Pooling pooling) {
        float[][][] hidden = lastHiddenState(batch);
        float[][] out = new float[batch.size()][];
        for (int i = 0; i < batch.size(); i++) {
            out[i] = switch (pooling) {
                case CLS -> hidden[i][0];
                case MEAN -> HostArrays.maskedMean(hidden[i], batch.attentionMask(), i * batch.length());
            };
        }
        return out;
    }

    @Override
    public BertConfig config() {
        return config;
    }

    @Override
    public BertConfig savedConfig() {
        return config.withArchitectures("BertModel");
    }

    @Override
    public BertModel bert() {
        return this;
    }

    /** The encoder layers. */
    public int numLayers() {
        return encoder.size();
    }

    Parameter wordEmbeddings() {
        return embeddings.wordEmbeddings();
    }

    /** The backend holding the weights. */
    public Backend backend() {
        return embeddings.wordEmbeddings().value().backend();
    }

    @Override
    public List<Parameter> parameters() {
        List<Parameter> all = new ArrayList<>(embeddings.parameters());
        all.addAll(encoder.parameters());
        if (pooler != null) all.addAll(pooler.parameters());
        return all;
    }

    /** As a bare BertModel's save_pretrained: names without the "bert." prefix. */
    @Override
    public Map<String, HostTensor> stateDict() {
        return PretrainedBert.stateDict(parameters(), "bert.");
    }
}
