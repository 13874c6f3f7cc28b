/*
 * The attention block's output: project the context, dropout, add the block's input, LayerNorm.
 * HF names: attention.output.dense.*, attention.output.LayerNorm.*.
 */
package dev.kanna.bert;

import dev.kanna.autograd.Ops;
import dev.kanna.autograd.Parameter;
import dev.kanna.tensor.Tensor;

import java.util.List;

final class BertSelfOutput {
    private final Linear dense;         // (C, C)
    private final LayerNorm norm;
    private final float dropout;

    BertSelfOutput(Weights w, BertConfig config) {
        int c = config.hiddenSize();
        this.dense = Linear.load(w, "dense", c, c);
        this.norm = LayerNorm.load(w, "LayerNorm", c, config.layerNormEps());
        this.dropout = (float) config.hiddenDropoutProb();
    }

    /** context, input (B, T, C) → LayerNorm(dropout(dense(context)) + input) (B, T, C). */
    Tensor forward(Ops ops, Tensor context, Tensor input) {
        Tensor projected = ops.dropout(dense.forward(ops, context), dropout);   // (B, T, C)
        return ops.addLayerNorm(projected, input, norm.weight(), norm.bias(), norm.eps());   // (B, T, C)
    }

    List<Parameter> parameters() {
        return List.of(dense.weight(), dense.bias(), norm.weight(), norm.bias());
    }
}
