/*
 * The character data the BERT normalizer and pre-tokenizer use, exactly as HF `tokenizers` applies
 * it. HF pins a mix of Unicode versions (old category tables, a recent Rust lowercase), which no JDK's
 * Character data reproduces, so the tables are measured from the real library
 * (tools/reference/gen_unicode_tables.py) and shipped as a resource: behaviour does not drift with
 * the JDK the tokenizer runs on.
 */
package dev.kanna.tokenizer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;

final class UnicodeTables {

    private static final String RESOURCE = "bert-unicode-tables.txt";

    // Hangul syllable decomposition constants (Unicode chapter 3.12).
    private static final int S_BASE = 0xAC00, L_BASE = 0x1100, V_BASE = 0x1161, T_BASE = 0x11A7;
    private static final int V_COUNT = 21, T_COUNT = 28, N_COUNT = V_COUNT * T_COUNT, S_COUNT = 11172;

    static final UnicodeTables INSTANCE = new UnicodeTables();

    private final BitSet removed = new BitSet();      // clean_text drops these
    private final BitSet whitespace = new BitSet();   // split on; clean_text maps them to U+0020
    private final BitSet punctuation = new BitSet();  // isolated by the pre-tokenizer
    private final BitSet nonspacing = new BitSet();   // dropped after NFD when stripping accents
    private final Map<Integer, Integer> combiningClass = new HashMap<>();
    private final Map<Integer, int[]> decomposition = new HashMap<>();
    private final Map<Integer, int[]> lowercase = new HashMap<>();
    /** Code points with a decomposition, a lowercase mapping or a non-zero combining class. */
    private final BitSet mapped = new BitSet();

    private UnicodeTables() {
        try (InputStream in = UnicodeTables.class.getResourceAsStream(RESOURCE)) {
            if (in == null) throw new IllegalStateException("missing resource " + RESOURCE);
            parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** True for code points clean_text removes (NUL, U+FFFD and HF's control/format/private-use set). */
    boolean isRemoved(int cp) {
        return removed.get(cp);
    }

    /** True for HF's whitespace (Rust's White_Space: includes U+00A0, excludes U+001C..U+001F). */
    boolean isWhitespace(int cp) {
        return whitespace.get(cp);
    }

    /** True for what BertPreTokenizer isolates: ASCII punctuation and HF's P* categories. */
    boolean isPunctuation(int cp) {
        return punctuation.get(cp);
    }

    /** True for a non-spacing mark (Mn) as HF's accent stripping sees it. */
    boolean isNonspacingMark(int cp) {
        return nonspacing.get(cp);
    }

    /** True when the code point has no decomposition, no lowercase mapping and combining class 0. */
    boolean isPlain(int cp) {
        return !mapped.get(cp) && !(cp >= S_BASE && cp < S_BASE + S_COUNT);
    }

    /** Canonical combining class of a code point that is its own decomposition; 0 for starters. */
    int combiningClass(int cp) {
        return mapped.get(cp) ? combiningClass.getOrDefault(cp, 0) : 0;
    }

    /** Full canonical decomposition (NFD) of one code point; the code point itself when it has none. */
    int[] decompose(int cp) {
        int s = cp - S_BASE;
        if (s >= 0 && s < S_COUNT) {
            int l = L_BASE + s / N_COUNT, v = V_BASE + (s % N_COUNT) / T_COUNT, t = T_BASE + s % T_COUNT;
            return t == T_BASE ? new int[]{l, v} : new int[]{l, v, t};
        }
        int[] d = mapped.get(cp) ? decomposition.get(cp) : null;
        return d != null ? d : new int[]{cp};
    }

    /** Lowercase of one code point, without context (İ gives two code points). */
    int[] lowercase(int cp) {
        int[] l = mapped.get(cp) ? lowercase.get(cp) : null;
        return l != null ? l : new int[]{cp};
    }

    /** HF's "Chinese character" ranges (note 2B920, not the 2B820 of the original BERT code). */
    static boolean isChinese(int cp) {
        return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF)
                || (cp >= 0x20000 && cp <= 0x2A6DF) || (cp >= 0x2A700 && cp <= 0x2B73F)
                || (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B920 && cp <= 0x2CEAF)
                || (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
    }

    /** Lines "section item item ...": ranges "A-B" or "A", or mappings "A:B.C" / "A:230", in hex. */
    private void parse(String text) {
        int pos = 0, n = text.length();
        while (pos < n) {
            int lineEnd = text.indexOf('\n', pos);
            if (lineEnd < 0) lineEnd = n;
            if (pos < lineEnd && text.charAt(pos) != '#') {
                int space = text.indexOf(' ', pos);
                String section = text.substring(pos, space);
                int i = space + 1;
                while (i < lineEnd) {
                    int itemEnd = text.indexOf(' ', i);
                    if (itemEnd < 0 || itemEnd > lineEnd) itemEnd = lineEnd;
                    item(section, text, i, itemEnd);
                    i = itemEnd + 1;
                }
            }
            pos = lineEnd + 1;
        }
    }

    private void item(String section, String text, int from, int to) {
        int sep = from;
        while (sep < to && text.charAt(sep) != '-' && text.charAt(sep) != ':') sep++;
        int first = Integer.parseInt(text, from, sep, 16);
        switch (section) {
            case "removed", "whitespace", "punctuation", "nonspacing" -> {
                BitSet set = switch (section) {
                    case "removed" -> removed;
                    case "whitespace" -> whitespace;
                    case "punctuation" -> punctuation;
                    default -> nonspacing;
                };
                int last = sep < to ? Integer.parseInt(text, sep + 1, to, 16) : first;
                set.set(first, last + 1);
            }
            case "ccc" -> {
                combiningClass.put(first, Integer.parseInt(text, sep + 1, to, 10));
                mapped.set(first);
            }
            case "nfd", "lower" -> {
                int count = 1;
                for (int k = sep + 1; k < to; k++) if (text.charAt(k) == '.') count++;
                int[] seq = new int[count];
                for (int k = sep + 1, j = 0; j < count; j++) {
                    int dot = k;
                    while (dot < to && text.charAt(dot) != '.') dot++;
                    seq[j] = Integer.parseInt(text, k, dot, 16);
                    k = dot + 1;
                }
                (section.equals("nfd") ? decomposition : lowercase).put(first, seq);
                mapped.set(first);
            }
            default -> throw new IllegalStateException(RESOURCE + ": unknown section " + section);
        }
    }
}
