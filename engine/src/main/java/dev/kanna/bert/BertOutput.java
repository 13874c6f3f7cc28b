/*
 * The feed-forward's contraction: dense I → C, dropout, add the block's input, LayerNorm.
 * HF names: output.dense.*, output.LayerNorm.*.
 */
package dev.kanna.bert;

import dev.kanna.autograd.Ops;
import dev.kanna.autograd.Parameter;
import dev.kanna.tensor.Tensor;

import java.util.List;

final class BertOutput {
    private final Linear dense;         // (C, I)
    private final LayerNorm norm;
    private final float dropout;

    BertOutput(Weights w, BertConfig config) {
        int c = config.hiddenSize();
        this.dense = Linear.load(w, "dense", c, config.intermediateSize());
        this.norm = LayerNorm.load(w, "LayerNorm", c, config.layerNormEps());
        this.dropout = (float) config.hiddenDropoutProb();
    }

    /** expanded (B, T, I), input (B, T, C) → LayerNorm(dropout(dense(expanded)) + input) (B, T, C). */
    Tensor forward(Ops ops, Tensor expanded, Tensor input) {
        Tensor projected = ops.dropout(dense.forward(ops, expanded), dropout);   // (B, T, C)
        return ops.addLayerNorm(projected, input, norm.weight(), norm.bias(), norm.eps());   // (B, T, C)
    }

    List<Parameter> parameters() {
        return List.of(dense.weight(), dense.bias(), norm.weight(), norm.bias());
    }
}
