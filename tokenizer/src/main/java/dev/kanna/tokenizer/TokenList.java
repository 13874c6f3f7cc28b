/*
 * A growable list of the tokens of one sequence: id, token string and the UTF-16 range of the
 * original text it covers. Truncation and the template work on these before the arrays of an
 * Encoding are cut.
 */
package dev.kanna.tokenizer;

import java.util.Arrays;

final class TokenList {

    /** Kinds of token: a continuation piece, the first piece of a model word, an added token. */
    static final byte PIECE = 0, WORD_START = 1, ADDED = 2;

    /**
     * HF 0.23 stops tokenizing a sequence after the first model word that brings it to this many
     * tokens (the truncation length); Integer.MAX_VALUE when not truncating.
     */
    int limit = Integer.MAX_VALUE;

    byte[] kinds = new byte[64];
    int[] ids = new int[64];
    String[] values = new String[64];
    int[] starts = new int[64];
    int[] ends = new int[64];
    /** The same offsets in code points, filled by computeCodePointOffsets. */
    int[] cpStarts = new int[64];
    int[] cpEnds = new int[64];
    int size;

    void clear() {
        size = 0;
    }

    void add(int id, String value, int start, int end, byte kind) {
        if (size == ids.length) grow();
        kinds[size] = kind;
        ids[size] = id;
        values[size] = value;
        starts[size] = start;
        ends[size] = end;
        size++;
    }

    /** True once the sequence has reached its limit (checked after each model word). */
    boolean full() {
        return size >= limit;
    }

    /**
     * The mirror image of the early stop, for left truncation: walking words from the end, keep
     * them up to and including the first model word that brings the count to the limit.
     */
    void cutFromEnd() {
        int count = 0;
        for (int t = size - 1; t >= 0; t--) {
            count++;
            if (kinds[t] == WORD_START && count >= limit) {
                keep(size - t, true);
                return;
            }
        }
    }

    /** Drops tokens from index n on (undoes a word that turned out to be unknown). */
    void setSize(int n) {
        size = n;
    }

    /** Keeps n tokens: the first n (right truncation) or the last n (left truncation). */
    void keep(int n, boolean fromLeft) {
        if (n >= size) return;
        if (fromLeft) {
            int drop = size - n;
            System.arraycopy(kinds, drop, kinds, 0, n);
            System.arraycopy(ids, drop, ids, 0, n);
            System.arraycopy(values, drop, values, 0, n);
            System.arraycopy(starts, drop, starts, 0, n);
            System.arraycopy(ends, drop, ends, 0, n);
            System.arraycopy(cpStarts, drop, cpStarts, 0, n);
            System.arraycopy(cpEnds, drop, cpEnds, 0, n);
        }
        size = n;
    }

    private void grow() {
        int n = (int) Math.min(Integer.MAX_VALUE - 8, ids.length * 2L);
        kinds = Arrays.copyOf(kinds, n);
        ids = Arrays.copyOf(ids, n);
        values = Arrays.copyOf(values, n);
        starts = Arrays.copyOf(starts, n);
        ends = Arrays.copyOf(ends, n);
        cpStarts = Arrays.copyOf(cpStarts, n);
        cpEnds = Arrays.copyOf(cpEnds, n);
    }

    /**
     * Converts the UTF-16 offsets into code point offsets over text[0, length). A surrogate pair
     * is one code point; a lone surrogate counts as one, as Java's codePointCount does.
     */
    void computeCodePointOffsets(char[] text, int length) {
        int firstSurrogate = -1;
        for (int i = 0; i < length; i++) {
            if (Character.isSurrogate(text[i])) {
                firstSurrogate = i;
                break;
            }
        }
        if (firstSurrogate < 0) {
            System.arraycopy(starts, 0, cpStarts, 0, size);
            System.arraycopy(ends, 0, cpEnds, 0, size);
            return;
        }
        // Code point index of every UTF-16 index, then each offset mapped through it.
        int[] cpIndex = new int[length + 1];
        int cp = 0;
        for (int i = 0; i < length; i++) {
            cpIndex[i] = cp;
            if (!(Character.isLowSurrogate(text[i]) && i > 0 && Character.isHighSurrogate(text[i - 1]))) cp++;
            else cpIndex[i] = cp - 1;
        }
        cpIndex[length] = cp;
        for (int t = 0; t < size; t++) {
            cpStarts[t] = cpIndex[starts[t]];
            cpEnds[t] = cpIndex[ends[t]];
        }
    }

    void trim(int keepLimit) {
        if (ids.length > keepLimit) {
            kinds = new byte[64];
            ids = new int[64];
            values = new String[64];
            starts = new int[64];
            ends = new int[64];
            cpStarts = new int[64];
            cpEnds = new int[64];
        }
        size = 0;
    }
}
