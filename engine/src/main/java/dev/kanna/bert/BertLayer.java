/*
 * One transformer encoder layer (post-LayerNorm, as BERT): attention block, then feed-forward block,
 * each with its residual. HF names under encoder.layer.{i}.
 */
package dev.kanna.bert;

import dev.kanna.autograd.Ops;
import dev.kanna.autograd.Parameter;
import dev.kanna.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

final class BertLayer {
    private final BertSelfAttention selfAttention;
    private final BertSelfOutput selfOutput;
    private final BertIntermediate intermediate;
    private final BertOutput output;

    BertLayer(Weights w, BertConfig config) {
        this.selfAttention = new BertSelfAttention(w.at("attention").at("self"), config);
        this.selfOutput = new BertSelfOutput(w.at("attention").at("output"), config);
        this.intermediate = new BertIntermediate(w.at("intermediate"), config);
        this.output = new BertOutput(w.at("output"), config);
    }

    /** hidden (B, T, C), maskBias (B, T) → (B, T, C). */
    Tensor forward(Ops ops, Tensor hidden, Tensor maskBias) {
        Tensor attended = selfOutput.forward(ops, selfAttention.forward(ops, hidden, maskBias), hidden);   // (B, T, C)
        return output.forward(ops, intermediate.forward(ops, attended), attended);                       // (B, T, C)
    }

    List<Parameter> parameters() {
        List<Parameter> all = new ArrayList<>(selfAttention.parameters());
        all.addAll(selfOutput.parameters());
        all.addAll(intermediate.parameters());
        all.addAll(output.parameters());
        return all;
    }
}
