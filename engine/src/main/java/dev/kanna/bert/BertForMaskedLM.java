/*
 * Masked language modelling, as transformers' BertForMaskedLM: a transform (dense, hidden_act,
 * LayerNorm), then a decoder whose weight IS the word embedding table (tied: one parameter, so its
 * gradient receives both the embedding's and the decoder's contributions) plus cls.predictions.bias.
 * No pooler. A checkpoint without the head gets a fresh one, seeded, with one warning line.
 *
 *   hidden = bert(ids, typeIds, mask)                   // (B, T, C)
 *   h      = LayerNorm(act(dense(hidden)))              // (B, T, C)
 *   logits = h · wordEmbeddingsᵀ + bias                 // (B, T, V)
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

public final class BertForMaskedLM implements PretrainedBert {
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
        Tensor hidden = bert.forward(ops, inputs);                                            // (B, T, C)
        Tensor h = norm.forward(ops, ops.activation(transform.forward(ops, hidden), activation));   // (B, T, C)
        return ops.linear(h, bert.wordEmbeddings(), bias);                                    // (B, T, V)
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
