/*
 * The result of encoding one text or pair: the arrays a BERT model takes (ids, type ids, attention
 * mask) plus what explains them (token strings, offsets into the original text, which tokens are
 * special). Arrays are owned by the record and must not be modified.
 */
package dev.kanna.tokenizer;

import java.util.Arrays;

/**
 * One encoded input, all arrays of the same length (one entry per token, padding included).
 *
 * @param ids               token ids
 * @param typeIds           token type (segment) ids: 0 for the first sequence, 1 for the second
 * @param tokens            token strings ("##" marks a continuation piece)
 * @param starts            start of each token in its original text, in code points (as HF's Python
 *                          binding reports offsets); 0 for special and pad tokens
 * @param ends              end (exclusive) of each token, in code points; 0 for special and pad tokens
 * @param utf16Starts       start of each token as a UTF-16 index ({@link String#substring} ready)
 * @param utf16Ends         end of each token as a UTF-16 index
 * @param attentionMask     1 for real tokens, 0 for padding
 * @param specialTokensMask 1 for tokens the template or padding added, 0 for tokens of the text
 */
public record Encoding(int[] ids, int[] typeIds, String[] tokens, int[] starts, int[] ends,
                       int[] utf16Starts, int[] utf16Ends, int[] attentionMask, int[] specialTokensMask) {

    /** Number of tokens. */
    public int size() {
        return ids.length;
    }

    /** Offsets as HF's Python binding shows them: {@code [[start, end], ...]} in code points. */
    public int[][] offsets() {
        int[][] pairs = new int[ids.length][];
        for (int i = 0; i < pairs.length; i++) pairs[i] = new int[]{starts[i], ends[i]};
        return pairs;
    }

    /** Number of tokens that are not padding. */
    public int unpaddedSize() {
        int n = 0;
        for (int m : attentionMask) n += m;
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Encoding e && Arrays.equals(ids, e.ids) && Arrays.equals(typeIds, e.typeIds)
                && Arrays.equals(tokens, e.tokens) && Arrays.equals(starts, e.starts)
                && Arrays.equals(ends, e.ends) && Arrays.equals(utf16Starts, e.utf16Starts)
                && Arrays.equals(utf16Ends, e.utf16Ends) && Arrays.equals(attentionMask, e.attentionMask)
                && Arrays.equals(specialTokensMask, e.specialTokensMask);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(ids) + Arrays.hashCode(typeIds);
    }

    @Override
    public String toString() {
        return "Encoding[ids=" + Arrays.toString(ids) + ", typeIds=" + Arrays.toString(typeIds)
                + ", tokens=" + Arrays.toString(tokens) + ", offsets=" + Arrays.deepToString(offsets())
                + ", attentionMask=" + Arrays.toString(attentionMask) + "]";
    }
}
