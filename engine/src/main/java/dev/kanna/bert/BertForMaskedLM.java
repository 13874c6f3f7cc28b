/*
 * Masked language modelling, as transformers' BertForMaskedLM: a transform (dense, hidden_act,
 * LayerNorm), then a decoder whose weight IS the word embedding table (tied: one parameter, so its
 * gradient receives both the embedding's and the decoder's contributions) plus cls.predictions.bias.
 * No pooler. A checkpoint without the head gets a fresh one, seeded, with one warning line.
 *
 *   hidden = bert(ids, typeIds, mask)                   // (B, T, C)
 *   h      = LayerNorm(act(dense(hidden)))              // (B, T, C)
 *   logits = h · wordEmbeddingsᵀ + bias                 // (B, T, V)
 *
 * Training needs the logits only where tokens were masked (~15%): outputsAt gathers those rows of
 * the last hidden state first and runs the head on them alone, so the largest product of a step,
 * (B·T, C) × (C, V), shrinks to (M, C) × (C, V). Row by row it is the same arithmetic.
 */
package dev.kanna.bert;

import dev.kanna.autograd.Ops;
import dev.kanna.autograd.Parameter;
import dev.kanna.backend.Activation;
import dev.kanna.backend.Backend;
import dev.kanna.backend.Scope;
import dev.kanna.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

public final class BertForMaskedLM implements TaskModel {
    private final BertModel bert;        // no pooler
    private final Linear transform;      // (C, C)
    private final Activation activation;
    private final LayerNorm norm;
    private final Parameter bias;        // (V)

    private BertForMaskedLM(Weights w, BertConfig config) {
        int c = config.hiddenSize();
        this.bert = new BertModel(w.at("bert"), config, false);
        Weights head = w.at("cls").at("predictions");
        this.transform = Linear.loadOrInit(head.at("transform"), "dense", c, c);
        this.activation = config.activation();
        this.norm = LayerNorm.loadOrInit(head.at("transform"), "LayerNorm", c, config.layerNormEps());
        this.bias = head.getOrInit("bias", Weights.Init.ZEROS, config.vocabSize());
    }

    public static BertForMaskedLM load(WeightSource source, BertConfig config, Backend backend, LoadOptions options) {
        return ModelLoading.load(source, config, backend, options, w -> new BertForMaskedLM(w, config));
    }

    /** Loads a Hugging Face model directory (config.json, model.safetensors). */
    public static BertForMaskedLM load(Path dir, Backend backend, LoadOptions options) throws IOException {
        BertConfig config = BertConfig.read(dir);
        try (SafetensorsWeights weights = SafetensorsWeights.open(dir)) {
            return load(weights, config, backend, options);
        }
    }

    /** inputs → logits over the vocabulary (B, T, V). */
    public Tensor logits(Ops ops, BertInputs inputs) {
        return head(ops, bert.forward(ops, inputs));                                          // (B, T, V)
    }

    /** hidden (..., C) → transform → decoder: logits (..., V). */
    private Tensor head(Ops ops, Tensor hidden) {
        Tensor h = norm.forward(ops, ops.activation(transform.forward(ops, hidden), activation));   // (..., C)
        return ops.linear(h, bert.wordEmbeddings(), bias);                                    // (..., V)
    }

    @Override
    public Tensor outputs(Ops ops, BertInputs inputs) {
        return logits(ops, inputs);
    }

    @Override
    public Tensor outputs(Ops ops, HiddenInputs inputs) {
        return head(ops, bert.forward(ops, inputs));
    }

    /** The logits at rows (M) of the flattened positions only: (M, V). */
    @Override
    public Tensor outputsAt(Ops ops, BertInputs inputs, Tensor rows) {
        return head(ops, ops.gatherRows(bert.forward(ops, inputs), rows));                   // (M, V)
    }

    @Override
    public Tensor outputsAt(Ops ops, HiddenInputs inputs, Tensor rows) {
        return head(ops, ops.gatherRows(bert.forward(ops, inputs), rows));                   // (M, V)
    }

    @Override
    public int numOutputs() {
        return config().vocabSize();
    }

    @Override
    public boolean perToken() {
        return true;
    }

    /** Inference: logits [b][t][v], padding positions included. */
    public float[][][] logits(Batch batch) {
        Backend backend = bert.backend();
        try (Scope ignored = backend.scope()) {
            Tensor logits = logits(Ops.inference(backend), BertInputs.upload(backend, batch, config()));
            return HostArrays.split3(backend.download(logits), batch.size(), batch.length(), config().vocabSize());
        }
    }

    @Override
    public BertConfig config() {
        return bert.config();
    }

    @Override
    public BertConfig savedConfig() {
        return config().withArchitectures("BertForMaskedLM");
    }

    @Override
    public BertModel bert() {
        return bert;
    }

    @Override
    public List<Parameter> parameters() {
        List<Parameter> all = new ArrayList<>(bert.parameters());
        all.addAll(transform.parameters());
        all.addAll(norm.parameters());
        all.add(bias);
        return all;
    }
}
