/*
 * The pooler: dense + tanh on each sequence's first ([CLS]) position. HF names: pooler.dense.*.
 * Fresh (as transformers initialises it) when the checkpoint has none, e.g. a sentence-embedding model.
 */
package dev.kanna.bert;

import dev.kanna.autograd.Ops;
import dev.kanna.autograd.Parameter;
import dev.kanna.backend.Activation;
import dev.kanna.tensor.Tensor;

import java.util.List;

final class BertPooler {
    private final Linear dense;         // (C, C)

    BertPooler(Weights w, BertConfig config) {
        this.dense = Linear.loadOrInit(w, "dense", config.hiddenSize(), config.hiddenSize());
    }

    /** hidden (B, T, C), clsRows (B) → tanh(dense(hidden[:, 0])) (B, C). */
    Tensor forward(Ops ops, Tensor hidden, Tensor clsRows) {
        Tensor first = ops.gatherRows(hidden, clsRows);                       // (B, C)
        return ops.activation(dense.forward(ops, first), Activation.TANH);    // (B, C)
    }

    List<Parameter> parameters() {
        return dense.parameters();
    }
}
