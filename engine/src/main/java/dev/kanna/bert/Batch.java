/*
 * A batch of tokenized sequences on the host, padded to one length: token ids, token type ids and
 * the attention mask (1 = token, 0 = padding), each (B, T) row-major, as a HF tokenizer returns them.
 */
package dev.kanna.bert;

import java.util.Arrays;
import java.util.List;

public record Batch(int size, int length, int[] inputIds, int[] tokenTypeIds, int[] attentionMask) {

    public Batch {
        int n = Math.multiplyExact(size, length);
        if (size < 1 || length < 1) throw new IllegalArgumentException("empty batch: " + size + " × " + length);
        if (inputIds.length != n || tokenTypeIds.length != n || attentionMask.length != n) {
            throw new IllegalArgumentException("batch " + size + " × " + length + " needs " + n + " ids, type ids and mask"
                    + " values, got " + inputIds.length + ", " + tokenTypeIds.length + ", " + attentionMask.length);
        }
    }

    /** Sequences of token ids padded with padId to the longest; type ids 0, mask 1 on tokens. */
    public static Batch pad(List<int[]> sequences, int padId) {
        return pad(sequences, null, padId);
    }

    /**
     * Sequences of token ids and their type ids (null: all 0), padded to the longest: ids with padId,
     * type ids with 0; mask 1 on tokens.
     */
    public static Batch pad(List<int[]> sequences, List<int[]> typeIds, int padId) {
        int b = sequences.size();
        if (typeIds != null && typeIds.size() != b) {
            throw new IllegalArgumentException(b + " sequences but " + typeIds.size() + " type id rows");
        }
        int length = 1;
        for (int[] s : sequences) length = Math.max(length, s.length);
        int[] ids = new int[Math.multiplyExact(b, length)], types = new int[ids.length], mask = new int[ids.length];
        Arrays.fill(ids, padId);
        for (int i = 0; i < b; i++) {
            int[] s = sequences.get(i);
            System.arraycopy(s, 0, ids, i * length, s.length);
            if (typeIds != null) {
                int[] t = typeIds.get(i);
                if (t.length != s.length) {
                    throw new IllegalArgumentException("sequence " + i + ": " + s.length + " ids but " + t.length + " type ids");
                }
                System.arraycopy(t, 0, types, i * length, t.length);
            }
            Arrays.fill(mask, i * length, i * length + s.length, 1);
        }
        return new Batch(b, length, ids, types, mask);
    }

    /** Number of real (unmasked) tokens in sequence i. */
    public int tokens(int i) {
        int n = 0;
        for (int t = 0; t < length; t++) n += attentionMask[i * length + t] != 0 ? 1 : 0;
        return n;
    }
}
