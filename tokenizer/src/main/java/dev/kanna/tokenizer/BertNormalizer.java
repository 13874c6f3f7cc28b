/*
 * HF's BertNormalizer (clean text, isolate Chinese characters, strip accents, lowercase) fused into
 * one pass that writes the normalized UTF-16 units and, for each, the original range it came from:
 * the alignment HF keeps, which later turns token positions into offsets in the original text.
 *
 * Every BMP character's outcome is precomputed per option set (a kind and its output), so the loop
 * does one table lookup per character. Astral characters, lone surrogates and the few marks that
 * survive accent stripping with a non-zero combining class take the general path.
 *
 * Canonical reordering. NFD sorts each run of non-starters by combining class. Marks that accent
 * stripping drops leave no trace except through alignment: HF's NFD tags the first element of
 * each character's decomposition as consuming that character and the others as insertions, the
 * sort carries the tags along, and consumption then runs in order. So once a surviving mark enters
 * a run, the whole run (dropped marks included) is buffered and laid out when the run ends.
 */
package dev.kanna.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

final class BertNormalizer {

    // What a BMP character does, per option set.
    private static final byte REMOVED = 0;    // clean_text drops it; invisible to everything after
    private static final byte STRIPPED = 1;   // only non-starters, all dropped by accent stripping
    private static final byte ONE = 2;        // one output unit: single[c]
    private static final byte MANY = 3;       // a sequence from the pool (possibly empty, or surrogate pairs)
    private static final byte CHINESE = 4;    // space, its output from the pool, space
    private static final byte GENERAL = 5;    // general path: surrogates, surviving non-starters

    private static final int EMPTY = -1;
    private static final ConcurrentHashMap<NormalizerOptions, BertNormalizer> CACHE = new ConcurrentHashMap<>();

    private final NormalizerOptions options;
    private final UnicodeTables unicode = UnicodeTables.INSTANCE;
    private final byte[] kind = new byte[65536];
    private final char[] single = new char[65536];
    private final int[] poolIndex = new int[65536];
    /** Outputs of MANY and CHINESE characters: length, then the UTF-16 units. */
    private final char[] pool;
    /** Most normalized units one BMP input unit can produce (3 for a Chinese character). */
    private final int maxUnitsPerUnit;

    static BertNormalizer of(NormalizerOptions options) {
        return CACHE.computeIfAbsent(options, BertNormalizer::new);
    }

    private BertNormalizer(NormalizerOptions options) {
        this.options = options;
        StringBuilder poolText = new StringBuilder();
        int[] scratch = new int[32];
        for (int c = 0; c < 65536; c++) {
            boolean chinese = options.handleChineseChars() && UnicodeTables.isChinese(c);
            if (c >= Character.MIN_SURROGATE && c <= Character.MAX_SURROGATE) {
                kind[c] = GENERAL;
            } else if (options.cleanText() && unicode.isRemoved(c)) {
                kind[c] = REMOVED;
            } else if (options.cleanText() && unicode.isWhitespace(c)) {
                kind[c] = ONE;
                single[c] = ' ';
            } else if (unicode.isPlain(c) && !chinese) {
                // A plain non-spacing mark is a starter (class 0): dropping it still ends a run.
                boolean dropped = options.stripAccents() && unicode.isNonspacingMark(c);
                kind[c] = dropped ? MANY : ONE;
                single[c] = (char) c;
                poolIndex[c] = EMPTY;
            } else {
                int n = expand(c, scratch);
                if (n < 0) {
                    kind[c] = GENERAL;
                } else if (!chinese && n == 0 && options.stripAccents() && !hasStarter(c)) {
                    kind[c] = STRIPPED;
                } else if (!chinese && n == 1 && scratch[0] < 65536) {
                    kind[c] = ONE;
                    single[c] = (char) scratch[0];
                } else {
                    kind[c] = chinese ? CHINESE : MANY;
                    poolIndex[c] = poolText.length();
                    StringBuilder out = new StringBuilder();
                    for (int i = 0; i < n; i++) out.appendCodePoint(scratch[i]);
                    poolText.append((char) out.length()).append(out);
                }
            }
        }
        int empty = poolText.length();
        poolText.append((char) 0);
        pool = poolText.toString().toCharArray();
        int most = 3;
        for (int c = 0; c < 65536; c++) {
            if (poolIndex[c] == EMPTY) poolIndex[c] = empty;
            if (kind[c] == MANY || kind[c] == CHINESE) most = Math.max(most, pool[poolIndex[c]] + 2);
        }
        maxUnitsPerUnit = most;
    }

    /**
     * Output code points of one character after accent stripping and lowercasing (clean_text and
     * Chinese isolation are handled by the caller). Returns their count, or -1 when a mark that
     * survives stripping has a non-zero combining class (its neighbours then matter).
     */
    private int expand(int cp, int[] out) {
        int[] elements = options.stripAccents() ? unicode.decompose(cp) : new int[]{cp};
        int n = 0;
        for (int e : elements) {
            if (options.stripAccents()) {
                if (unicode.isNonspacingMark(e)) continue;
                if (unicode.combiningClass(e) != 0) return -1;
            }
            for (int l : options.lowercase() ? unicode.lowercase(e) : new int[]{e}) out[n++] = l;
        }
        return n;
    }

    private boolean hasStarter(int cp) {
        for (int e : unicode.decompose(cp)) {
            if (unicode.combiningClass(e) == 0) return true;
        }
        return false;
    }

    NormalizerOptions options() {
        return options;
    }

    /**
     * Normalizes text[from, to) of the workspace into ws.norm, with original ranges in
     * ws.normStart/normEnd (absolute indices into the text); sets ws.normLength.
     */
    void normalize(Workspace ws, int from, int to) {
        char[] text = ws.text;
        long worstCase = (long) (to - from) * maxUnitsPerUnit + 8;  // every unit at its longest output
        if (worstCase > Integer.MAX_VALUE - 64) {
            throw new TokenizationException("a text of " + (to - from) + " UTF-16 units is too long to normalize (at most "
                    + (Integer.MAX_VALUE - 72) / maxUnitsPerUnit + ")");
        }
        ws.normCapacity((int) worstCase);
        char[] norm = ws.norm;
        int[] normStart = ws.normStart, normEnd = ws.normEnd;
        int len = 0;
        ws.runCount = 0;
        boolean tracking = false;  // a run with a surviving mark is being buffered (ws.run*)
        int i = from;
        while (i < to) {
            char c = text[i];
            switch (tracking ? GENERAL : kind[c]) {
                case ONE -> {
                    norm[len] = single[c];
                    normStart[len] = i;
                    normEnd[len] = i + 1;
                    len++;
                    i++;
                }
                case REMOVED, STRIPPED -> i++;
                case MANY -> {
                    int p = poolIndex[c], n = pool[p];
                    for (int k = 0; k < n; k++) {
                        norm[len] = pool[p + 1 + k];
                        normStart[len] = i;
                        normEnd[len] = i + 1;
                        len++;
                    }
                    i++;
                }
                case CHINESE -> {
                    norm[len] = ' ';  // HF aligns both inserted spaces with the character itself
                    normStart[len] = i;
                    normEnd[len] = i + 1;
                    len++;
                    int p = poolIndex[c], n = pool[p];
                    for (int k = 0; k < n; k++) {
                        norm[len] = pool[p + 1 + k];
                        normStart[len] = i;
                        normEnd[len] = i + 1;
                        len++;
                    }
                    norm[len] = ' ';
                    normStart[len] = i;
                    normEnd[len] = i + 1;
                    len++;
                    i++;
                }
                default -> {
                    int cp = c, width = 1;
                    if (Character.isHighSurrogate(c) && i + 1 < to && Character.isLowSurrogate(text[i + 1])) {
                        cp = Character.toCodePoint(c, text[i + 1]);
                        width = 2;
                    } else if (Character.isSurrogate(c)) {
                        cp = 0xFFFD;  // a lone surrogate reads as the replacement character
                    }
                    ws.normLength = len;
                    general(ws, cp, i, i + width, from, to);
                    len = ws.normLength;
                    tracking = ws.runCount > 0;
                    norm = ws.norm;
                    normStart = ws.normStart;
                    normEnd = ws.normEnd;
                    i += width;
                }
            }
        }
        ws.normLength = len;
        flushRun(ws);
    }

    /**
     * The general path for one code point at original [start, end) of the segment [from, to): the
     * same rules computed from the tables, plus buffering of runs with surviving marks. Works on
     * ws.normLength and ws.run*.
     */
    private void general(Workspace ws, int cp, int start, int end, int from, int to) {
        if (options.cleanText() && unicode.isRemoved(cp)) return;
        ws.normCapacity(ws.normLength + 64 + (to - end) * maxUnitsPerUnit);
        if (options.cleanText() && unicode.isWhitespace(cp)) {
            flushRun(ws);
            emit(ws, ' ', start, end);
            return;
        }
        boolean chinese = options.handleChineseChars() && UnicodeTables.isChinese(cp);
        if (chinese) {
            flushRun(ws);
            emit(ws, ' ', start, end);
        }
        if (!options.stripAccents()) {
            for (int l : options.lowercase() ? unicode.lowercase(cp) : new int[]{cp}) emit(ws, l, start, end);
        } else {
            int[] elements = unicode.decompose(cp);
            int lastStarter = -1;
            for (int m = 0; m < elements.length; m++) {
                int e = elements[m];
                if (unicode.combiningClass(e) == 0) {
                    flushRun(ws);
                    lastStarter = m;
                    if (!unicode.isNonspacingMark(e)) emitLower(ws, e, start, end);
                } else if (ws.runCount > 0) {
                    addToRun(ws, e, m == 0, start, end);
                } else if (!unicode.isNonspacingMark(e)) {
                    // The first surviving mark of this run: gather the run's earlier members.
                    if (lastStarter < 0) collectRunBefore(ws, from, start);
                    for (int k = lastStarter + 1; k < m; k++) addToRun(ws, elements[k], k == 0, start, end);
                    addToRun(ws, e, m == 0, start, end);
                }
            }
        }
        if (chinese) {
            flushRun(ws);
            emit(ws, ' ', start, end);
        }
    }

    /**
     * Adds to the run the non-starters that precede text[start] in the same run: walking back over
     * characters made only of non-starters (and ones clean_text removed) to the character holding
     * the last starter, whose trailing non-starters belong to the run too.
     */
    private void collectRunBefore(Workspace ws, int from, int start) {
        List<int[]> members = new ArrayList<>();  // {cp, consumes, start, end}, collected backwards
        int j = start;
        while (j > from) {
            int cp = Character.codePointBefore(ws.text, j, from);
            int width = Character.charCount(cp);
            if (Character.isSurrogate((char) cp) && cp < 0x10000) cp = 0xFFFD;
            int charStart = j - width;
            j = charStart;
            if (options.cleanText() && unicode.isRemoved(cp)) continue;
            if (options.cleanText() && unicode.isWhitespace(cp)) break;
            if (options.handleChineseChars() && UnicodeTables.isChinese(cp)) break;
            int[] d = unicode.decompose(cp);
            int lastStarter = -1;
            for (int k = 0; k < d.length; k++) if (unicode.combiningClass(d[k]) == 0) lastStarter = k;
            for (int k = d.length - 1; k > lastStarter; k--) members.add(new int[]{d[k], k == 0 ? 1 : 0, charStart, charStart + width});
            if (lastStarter >= 0) break;
        }
        for (int k = members.size() - 1; k >= 0; k--) {
            int[] m = members.get(k);
            addToRun(ws, m[0], m[1] == 1, m[2], m[3]);
        }
    }

    private static void addToRun(Workspace ws, int cp, boolean consumes, int start, int end) {
        ws.runCapacity(ws.runCount + 1);
        int k = ws.runCount++;
        ws.runCp[k] = cp;
        ws.runConsumes[k] = consumes;
        ws.runStart[k] = start;
        ws.runEnd[k] = end;
    }

    /**
     * Lays out a buffered run: a stable sort by combining class, then each mark that survives is
     * written with the alignment HF gives it (a consuming element takes the next consumed
     * character, an inserted one the last consumed character).
     */
    private void flushRun(Workspace ws) {
        int n = ws.runCount;
        if (n == 0) return;
        ws.runCount = 0;
        int[] order = new int[n];
        int placed = 0;
        int[] classes = new int[n];
        for (int k = 0; k < n; k++) classes[k] = unicode.combiningClass(ws.runCp[k]);
        for (int cc = 1; cc <= 255 && placed < n; cc++) {  // counting sort keeps equal classes in order
            for (int k = 0; k < n; k++) if (classes[k] == cc) order[placed++] = k;
        }
        int curStart = ws.runStart[0], curEnd = ws.runEnd[0];  // the character before the run
        int nextConsumer = 0;
        ws.normCapacity(ws.normLength + 2 * n + 8);
        for (int j = 0; j < n; j++) {
            int k = order[j];
            if (ws.runConsumes[k]) {
                while (!ws.runConsumes[nextConsumer]) nextConsumer++;
                curStart = ws.runStart[nextConsumer];
                curEnd = ws.runEnd[nextConsumer];
                nextConsumer++;
            }
            if (!unicode.isNonspacingMark(ws.runCp[k])) emitLower(ws, ws.runCp[k], curStart, curEnd);
        }
    }

    private void emitLower(Workspace ws, int cp, int start, int end) {
        if (!options.lowercase()) {
            emit(ws, cp, start, end);
            return;
        }
        for (int l : unicode.lowercase(cp)) emit(ws, l, start, end);
    }

    private static void emit(Workspace ws, int cp, int start, int end) {
        int len = ws.normLength;
        if (cp < 0x10000) {
            ws.norm[len] = (char) cp;
            ws.normStart[len] = start;
            ws.normEnd[len] = end;
            len++;
        } else {
            ws.norm[len] = Character.highSurrogate(cp);
            ws.norm[len + 1] = Character.lowSurrogate(cp);
            ws.normStart[len] = ws.normStart[len + 1] = start;
            ws.normEnd[len] = ws.normEnd[len + 1] = end;
            len += 2;
        }
        ws.normLength = len;
    }
}
