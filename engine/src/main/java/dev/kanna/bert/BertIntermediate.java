/*
 * The feed-forward's expansion: dense C → I, then the config's hidden_act.
 * HF names: intermediate.dense.*.
 */
package dev.kanna.bert;

import dev.kanna.autograd.Ops;
import dev.kanna.autograd.Parameter;
import dev.kanna.backend.Activation;
import dev.kanna.tensor.Tensor;

import java.util.List;

final class BertIntermediate {
    private final Linear dense;         // (I, C)
    private final Activation activation;

    BertIntermediate(Weights w, BertConfig config) {
        this.dense = Linear.load(w, "dense", config.intermediateSize(), config.hiddenSize());
        this.activation = config.activation();
    }

    /** (B, T, C) → (B, T, I). */
    Tensor forward(Ops ops, Tensor hidden) {
        return ops.linearActivation(hidden, dense.weight(), dense.bias(), activation);
    }

    List<Parameter> parameters() {
        return dense.parameters();
    }
}
