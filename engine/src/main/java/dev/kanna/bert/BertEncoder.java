/*
 * The stack of encoder layers. A layer that records nothing (frozen, with an input that needs no
 * gradient, or any layer at inference) runs inside its own allocation scope that keeps only its
 * output, and the previous frozen output is released as soon as it has been consumed: frozen layers
 * hold no activations, so the cost of a training step grows with the unfrozen layers only.
 */
package dev.kanna.bert;

import dev.kanna.autograd.Ops;
import dev.kanna.autograd.Parameter;
import dev.kanna.backend.Scope;
import dev.kanna.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

final class BertEncoder {
    private final List<BertLayer> layers = new ArrayList<>();

    BertEncoder(Weights w, BertConfig config) {
        for (int i = 0; i < config.numHiddenLayers(); i++) layers.add(new BertLayer(w.at("layer").at(i), config));
    }

    /**
     * hidden (B, T, C), maskBias (B, T) → (B, T, C). Takes ownership of hidden: when nothing records
     * it, it is released once the first layer has consumed it.
     */
    Tensor forward(Ops ops, Tensor hidden, Tensor maskBias) {
        for (BertLayer layer : layers) {
            if (ops.records(hidden, layer.parameters())) {
                hidden = layer.forward(ops, hidden, maskBias);
                continue;
            }
            Tensor input = hidden;
            try (Scope scope = ops.backend().scope()) {
                hidden = scope.keep(layer.forward(ops, input, maskBias));
            }
            input.release();
        }
        return hidden;
    }

    int size() {
        return layers.size();
    }

    List<Parameter> parameters() {
        List<Parameter> all = new ArrayList<>();
        for (BertLayer layer : layers) all.addAll(layer.parameters());
        return all;
    }
}
