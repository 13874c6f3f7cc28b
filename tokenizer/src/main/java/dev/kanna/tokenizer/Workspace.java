/*
 * Scratch buffers reused across encode calls on one thread, so the hot path allocates nothing but
 * the final Encoding arrays. Buffers grow on demand and shrink back after an unusually long input.
 */
package dev.kanna.tokenizer;

import java.util.Arrays;

final class Workspace {

    private static final int INITIAL = 256;
    /** Buffers larger than this (units) are dropped after use, so one 1 MB line does not pin memory. */
    private static final int KEEP_LIMIT = 1 << 16;

    private static final ThreadLocal<Workspace> LOCAL = ThreadLocal.withInitial(Workspace::new);

    /** The input text of the sequence being encoded. */
    char[] text = new char[INITIAL];
    /** Normalized text of the current segment, one UTF-16 unit each.  (N) */
    char[] norm = new char[INITIAL];
    /** Original UTF-16 range [normStart, normEnd) that produced each normalized unit.  (N) */
    int[] normStart = new int[INITIAL];
    int[] normEnd = new int[INITIAL];
    int normLength;
    /**
     * A canonical-reordering run being buffered by BertNormalizer: code point, whether it consumes
     * its character (first element of the character's decomposition), and the character's range.
     */
    int runCount;
    int[] runCp = new int[16];
    boolean[] runConsumes = new boolean[16];
    int[] runStart = new int[16];
    int[] runEnd = new int[16];

    /** Raw-text split around added tokens: (start, end, addedId or -1) triples.  (3 * S) */
    int[] segments = new int[3 * 8];
    /** Normalized-text split around normalized added tokens: same layout, normalized indices. */
    int[] normSegments = new int[3 * 8];
    /** Number of triples the last split wrote. */
    int segmentCount;

    /** Tokens of the first and the second sequence. */
    final TokenList first = new TokenList();
    final TokenList second = new TokenList();

    static Workspace get() {
        return LOCAL.get();
    }

    /** Makes text hold at least n units. */
    char[] textCapacity(int n) {
        if (text.length < n) text = new char[Math.max(n, text.length * 2)];
        return text;
    }

    /** Makes the normalized buffers hold at least n units, keeping their content. */
    void normCapacity(int n) {
        if (norm.length >= n) return;
        int size = Math.max(n, (int) Math.min(Integer.MAX_VALUE - 8, norm.length * 2L));
        norm = Arrays.copyOf(norm, size);
        normStart = Arrays.copyOf(normStart, size);
        normEnd = Arrays.copyOf(normEnd, size);
    }

    void runCapacity(int n) {
        if (runCp.length >= n) return;
        int size = Math.max(n, runCp.length * 2);
        runCp = Arrays.copyOf(runCp, size);
        runConsumes = Arrays.copyOf(runConsumes, size);
        runStart = Arrays.copyOf(runStart, size);
        runEnd = Arrays.copyOf(runEnd, size);
    }

    static int[] growTriples(int[] triples, int count) {
        return count * 3 + 3 <= triples.length ? triples : Arrays.copyOf(triples, triples.length * 2 + 3);
    }

    /** Lets go of buffers grown for a very long input. */
    void trim() {
        if (text.length > KEEP_LIMIT) text = new char[INITIAL];
        if (norm.length > KEEP_LIMIT) {
            norm = new char[INITIAL];
            normStart = new int[INITIAL];
            normEnd = new int[INITIAL];
        }
        first.trim(KEEP_LIMIT);
        second.trim(KEEP_LIMIT);
    }
}
