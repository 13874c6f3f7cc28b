/*
 * Token classification (NER), as transformers' BertForTokenClassification: the last hidden state,
 * dropout (classifier_dropout, else hidden_dropout_prob), then a linear classifier at every
 * position. No pooler (transformers builds this head's BertModel without one). A checkpoint
 * without the classifier (a base model, a sequence classifier) gets a fresh one, seeded, with one
 * warning line.
 *
 *   hidden = bert(ids, typeIds, mask)            // (B, T, C)
 *   logits = classifier(dropout(hidden))         // (B, T, K)
 */
package dev.kanna.bert;

import dev.kanna.autograd.Ops;
import dev.kanna.autograd.Parameter;
import dev.kanna.backend.Backend;
import dev.kanna.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

public final class BertForTokenClassification implements TaskModel {
    private final BertModel bert;        // no pooler
    private final Linear classifier;     // (K, C)
    private final float dropout;

    private BertForTokenClassification(Weights w, BertConfig config) {
        this.bert = new BertModel(w.at("bert"), config, false);
        this.classifier = Linear.loadOrInit(w, "classifier", config.numLabels(), config.hiddenSize());
        this.dropout = (float) config.classifierDropout();
    }

    /** Loads the encoder from source (required) and the classifier (fresh when absent); a pooler there is ignored. */
    public static BertForTokenClassification load(WeightSource source, BertConfig config, Backend backend,
                                                  LoadOptions options) {
        return ModelLoading.load(source, config, backend, options, w -> new BertForTokenClassification(w, config));
    }

    /** Loads a Hugging Face model directory; its config's labels decide the classifier's size. */
    public static BertForTokenClassification load(Path dir, Backend backend, LoadOptions options) throws IOException {
        BertConfig config = BertConfig.read(dir);
        try (SafetensorsWeights weights = SafetensorsWeights.open(dir)) {
            return load(weights, config, backend, options);
        }
    }

    @Override
    public Tensor outputs(Ops ops, BertInputs inputs) {
        return classifier.forward(ops, ops.dropout(bert.forward(ops, inputs), dropout));    // (B, T, K)
    }

    @Override
    public Tensor outputs(Ops ops, HiddenInputs inputs) {
        return classifier.forward(ops, ops.dropout(bert.forward(ops, inputs), dropout));    // (B, T, K)
    }

    @Override
    public int numOutputs() {
        return classifier.weight().value().dim(0);
    }

    @Override
    public boolean perToken() {
        return true;
    }

    @Override
    public BertConfig config() {
        return bert.config();
    }

    /** As transformers saves a token classifier: architecture, id2label and label2id, no problem type. */
    @Override
    public BertConfig savedConfig() {
        return config().withArchitectures("BertForTokenClassification").withProblemType(null)
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
