/*
 * A Batch uploaded for one forward: ids and type ids (B, T) I32, the additive attention mask bias
 * (B, T) and the row index of each sequence's [CLS] position (B). Allocated in the caller's scope.
 */
package dev.kanna.bert;

import dev.kanna.backend.Backend;
import dev.kanna.tensor.Tensor;

public record BertInputs(int batchSize, int length, Tensor ids, Tensor typeIds, Tensor maskBias, Tensor clsRows) {

    /**
     * What padding adds to attention scores: torch.finfo(float32).min, as transformers' eager
     * attention does, so padded keys get probability exactly 0 and no row can become −∞ − −∞ = NaN.
     */
    public static final float MASKED = -Float.MAX_VALUE;

    /** Validates the batch against the config (ids in the vocabulary, length within positions), then uploads it. */
    public static BertInputs upload(Backend backend, Batch batch, BertConfig config) {
        int b = batch.size(), t = batch.length();
        if (t > config.maxPositionEmbeddings()) {
            throw new IllegalArgumentException("sequence length " + t + " exceeds the model's max_position_embeddings "
                    + config.maxPositionEmbeddings());
        }
        float[] maskBias = new float[b * t];
        for (int k = 0; k < b * t; k++) {
            int id = batch.inputIds()[k], type = batch.tokenTypeIds()[k];
            if (id < 0 || id >= config.vocabSize()) {
                throw new IllegalArgumentException("token id " + id + " at sequence " + k / t + ", position " + k % t
                        + " is outside the vocabulary of " + config.vocabSize());
            }
            if (type < 0 || type >= config.typeVocabSize()) {
                throw new IllegalArgumentException("token type id " + type + " at sequence " + k / t + ", position "
                        + k % t + " is outside the " + config.typeVocabSize() + " token types");
            }
            maskBias[k] = batch.attentionMask()[k] != 0 ? 0f : MASKED;
        }
        int[] cls = new int[b];
        for (int i = 0; i < b; i++) cls[i] = i * t;
        return new BertInputs(b, t,
                backend.upload(batch.inputIds(), b, t),          // (B, T)
                backend.upload(batch.tokenTypeIds(), b, t),      // (B, T)
                backend.upload(maskBias, b, t),                  // (B, T)
                backend.upload(cls, b));                         // (B)
    }
}
