/*
 * Multi-head self-attention. HF stores query, key and value as three (C, C) Linear layers; they are
 * fused at load into one (3C, C) projection so the backend's attention gets a packed (B, T, 3C)
 * [query | key | value], and split back under their HF names on save.
 */
package dev.kanna.bert;

import dev.kanna.autograd.Ops;
import dev.kanna.autograd.Parameter;
import dev.kanna.tensor.Tensor;

import java.util.List;

final class BertSelfAttention {
    private final Linear qkv;           // weight (3C, C), bias (3C)
    private final int heads;
    private final float dropout;

    BertSelfAttention(Weights w, BertConfig config) {
        int c = config.hiddenSize();
        this.qkv = new Linear(w.fused(List.of("query.weight", "key.weight", "value.weight"), c, c),
                w.fused(List.of("query.bias", "key.bias", "value.bias"), c));
        this.heads = config.numAttentionHeads();
        this.dropout = (float) config.attentionProbsDropoutProb();
    }

    /** hidden (B, T, C), maskBias (B, T) → context (B, T, C). */
    Tensor forward(Ops ops, Tensor hidden, Tensor maskBias) {
        Tensor packed = qkv.forward(ops, hidden);                     // (B, T, 3C)
        return ops.attention(packed, maskBias, heads, dropout);       // (B, T, C)
    }

    List<Parameter> parameters() {
        return qkv.parameters();
    }
}
