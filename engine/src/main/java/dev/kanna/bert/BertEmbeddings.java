/*
 * BERT's input layer: word + position + token-type embeddings, LayerNorm, dropout.
 * HF names: embeddings.{word,position,token_type}_embeddings.weight, embeddings.LayerNorm.*.
 * The buffer embeddings.position_ids is not a weight and is never read.
 */
package dev.kanna.bert;

import dev.kanna.autograd.Ops;
import dev.kanna.autograd.Parameter;
import dev.kanna.tensor.Tensor;

import java.util.List;

public final class BertEmbeddings {
    private final Parameter word;        // (V, C)
    private final Parameter position;    // (P, C)
    private final Parameter tokenType;   // (S, C)
    private final LayerNorm norm;
    private final float dropout;

    BertEmbeddings(Weights w, BertConfig config) {
        int c = config.hiddenSize();
        this.word = w.get("word_embeddings.weight", config.vocabSize(), c);
        this.position = w.get("position_embeddings.weight", config.maxPositionEmbeddings(), c);
        this.tokenType = w.get("token_type_embeddings.weight", config.typeVocabSize(), c);
        this.norm = LayerNorm.load(w, "LayerNorm", c, config.layerNormEps());
        this.dropout = (float) config.hiddenDropoutProb();
    }

    /** ids, typeIds (B, T) → (B, T, C). */
    Tensor forward(Ops ops, Tensor ids, Tensor typeIds) {
        Tensor summed = ops.embedding(ids, typeIds, word, position, tokenType);   // (B, T, C)
        return ops.dropout(norm.forward(ops, summed), dropout);                    // (B, T, C)
    }

    /** The word embedding table, which the masked-LM decoder shares. */
    Parameter wordEmbeddings() {
        return word;
    }

    List<Parameter> parameters() {
        return List.of(word, position, tokenType, norm.weight(), norm.bias());
    }
}
