/*
 * Sequence classification, as transformers' BertForSequenceClassification: the pooled [CLS] state,
 * dropout (classifier_dropout, else hidden_dropout_prob), then a linear classifier to num_labels
 * logits. A checkpoint without pooler or classifier (a base or sentence-embedding model) gets fresh
 * ones, seeded, with one warning line.
 *
 *   hidden = bert(ids, typeIds, mask)         // (B, T, C)
 *   pooled = tanh(dense(hidden[:, 0]))        // (B, C)
 *   logits = classifier(dropout(pooled))      // (B, K)
 */
package dev.kanna.bert;

import dev.kanna.autograd.Ops;
import dev.kanna.autograd.Parameter;
import dev.kanna.backend.Backend;
import dev.kanna.backend.Scope;
import dev.kanna.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

public final class BertForSequenceClassification implements TaskModel {
    private final BertModel bert;        // with its pooler
    private final Linear classifier;     // (K, C)
    private final float dropout;

    private BertForSequenceClassification(Weights w, BertConfig config) {
        this.bert = new BertModel(w.at("bert"), config, true);
        this.classifier = Linear.loadOrInit(w, "classifier", config.numLabels(), config.hiddenSize());
        this.dropout = (float) config.classifierDropout();
    }

    /** Loads the encoder from source (required) and the pooler and classifier (fresh when absent). */
    public static BertForSequenceClassification load(WeightSource source, BertConfig config, Backend backend,
                                                     LoadOptions options) {
        return ModelLoading.load(source, config, backend, options, w -> new BertForSequenceClassification(w, config));
    }

    /**
     * Loads a Hugging Face model directory; its config's labels decide the classifier's size. To
     * fine-tune a base model for new labels, pass {@code BertConfig.read(dir).withLabels(names)} and
     * {@code SafetensorsWeights.open(dir)} to {@link #load(WeightSource, BertConfig, Backend, LoadOptions)}.
     */
    public static BertForSequenceClassification load(Path dir, Backend backend, LoadOptions options) throws IOException {
        BertConfig config = BertConfig.read(dir);
        try (SafetensorsWeights weights = SafetensorsWeights.open(dir)) {
            return load(weights, config, backend, options);
        }
    }

    /** inputs → logits (B, K). */
    public Tensor logits(Ops ops, BertInputs inputs) {
        Tensor hidden = bert.forward(ops, inputs);                         // (B, T, C)
        return head(ops, bert.pool(ops, hidden, inputs));
    }

    /** The states entering layer inputs.layer() → logits (B, K): only the layers from there up, pooler and classifier. */
    public Tensor logits(Ops ops, HiddenInputs inputs) {
        Tensor hidden = bert.forward(ops, inputs);                         // (B, T, C)
        return head(ops, bert.pool(ops, hidden, inputs.clsRows()));
    }

    @Override
    public Tensor outputs(Ops ops, BertInputs inputs) {
        return logits(ops, inputs);
    }

    @Override
    public Tensor outputs(Ops ops, HiddenInputs inputs) {
        return logits(ops, inputs);
    }

    @Override
    public int numOutputs() {
        return numLabels();
    }

    @Override
    public boolean perToken() {
        return false;
    }

    /** pooled (B, C) → dropout → classifier → logits (B, K). */
    private Tensor head(Ops ops, Tensor pooled) {
        return classifier.forward(ops, ops.dropout(pooled, dropout));
    }

    /** Inference from hidden states entering layer batch.layer(): logits [b][k]. */
    public float[][] logits(HiddenBatch batch) {
        Backend backend = bert.backend();
        try (Scope ignored = backend.scope()) {
            Tensor logits = logits(Ops.inference(backend), batch.upload(backend));
            return HostArrays.split2(backend.download(logits), batch.size(), numLabels());
        }
    }

    /** Inference: logits [b][k]. */
    public float[][] logits(Batch batch) {
        Backend backend = bert.backend();
        try (Scope ignored = backend.scope()) {
            Tensor logits = logits(Ops.inference(backend), BertInputs.upload(backend, batch, config()));
            return HostArrays.split2(backend.download(logits), batch.size(), numLabels());
        }
    }

    public int numLabels() {
        return classifier.weight().value().dim(0);
    }

    @Override
    public BertConfig config() {
        return bert.config();
    }

    /**
     * As transformers saves a fine-tuned classifier: architecture, problem type (the config's:
     * multi_label_classification or regression when the task set it, else single_label_classification),
     * id2label and label2id.
     */
    @Override
    public BertConfig savedConfig() {
        String problem = config().problemType() != null ? config().problemType() : "single_label_classification";
        return config().withArchitectures("BertForSequenceClassification").withProblemType(problem)
                .withLabels(config().labels());
    }

    @Override
    public BertModel bert() {
        return bert;
    }

    @Override
    public List<Parameter> parameters() {
        List<Parameter> all = new ArrayList<>(bert.parameters());
        all.addAll(classifier.parameters());
        return all;
    }
}
