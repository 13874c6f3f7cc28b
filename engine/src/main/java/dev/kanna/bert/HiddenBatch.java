/*
 * A batch of hidden states entering encoder layer `layer` (e.g. a frozen lower stack's output kept on
 * the host), padded to one length, with its attention mask (1 = token, 0 = padding), row-major.
 * Padding rows may hold anything finite (zeros, usually): attention gives padded keys probability
 * exactly 0, so they never reach a token's state, and the pooler reads position 0 only.
 */
package dev.kanna.bert;

import dev.kanna.backend.Backend;

public record HiddenBatch(int layer, int size, int length, int width, float[] states, int[] attentionMask) {

    public HiddenBatch {
        if (layer < 0 || size < 1 || length < 1 || width < 1) {
            throw new IllegalArgumentException("hidden batch at layer " + layer + ": " + size + " × " + length + " × " + width);
        }
        int tokens = Math.multiplyExact(size, length);
        if (states.length != Math.multiplyExact(tokens, width) || attentionMask.length != tokens) {
            throw new IllegalArgumentException("hidden batch " + size + " × " + length + " × " + width + " needs "
                    + tokens * (long) width + " states and " + tokens + " mask values, got " + states.length + " and "
                    + attentionMask.length);
        }
    }

    /** Uploads the states (B, T, C), the mask bias (B, T) and the [CLS] rows (B) into the caller's scope. */
    public HiddenInputs upload(Backend backend) {
        return new HiddenInputs(layer,
                backend.upload(states, size, length, width),                 // (B, T, C)
                BertInputs.maskBias(backend, attentionMask, size, length),   // (B, T)
                BertInputs.clsRows(backend, size, length));                  // (B)
    }
}
