/*
 * HF's BertPreTokenizer over the normalized units: whitespace separates words and disappears, each
 * punctuation character is a word of its own. Words go straight to a sink (the model, when
 * encoding) as ranges of the workspace, with no word objects.
 * Without a pre-tokenizer (a tokenizer.json with none) the whole normalized segment is one word.
 */
package dev.kanna.tokenizer;

final class BertPreTokenizer {

    private static final byte WORD = 0, SPACE = 1, PUNCT = 2;
    private static final byte[] CLASS = new byte[65536];

    static {
        UnicodeTables unicode = UnicodeTables.INSTANCE;
        for (int c = 0; c < 65536; c++) {
            CLASS[c] = unicode.isWhitespace(c) ? SPACE : unicode.isPunctuation(c) ? PUNCT : WORD;
        }
    }

    /** Receives each word as ws.norm[from, to) of codePoints code points; false stops the split. */
    @FunctionalInterface
    interface WordSink {
        boolean word(Workspace ws, int from, int to, int codePoints);
    }

    private BertPreTokenizer() {
    }

    /** Splits ws.norm[from, to) into words for the sink; returns false when the sink stopped it. */
    static boolean split(Workspace ws, int from, int to, WordSink sink) {
        char[] norm = ws.norm;
        int wordStart = -1, codePoints = 0;
        int k = from;
        while (k < to) {
            char c = norm[k];
            byte cls = CLASS[c];
            int width = 1;
            if (Character.isHighSurrogate(c) && k + 1 < to && Character.isLowSurrogate(norm[k + 1])) {
                int cp = Character.toCodePoint(c, norm[k + 1]);
                UnicodeTables unicode = UnicodeTables.INSTANCE;
                cls = unicode.isWhitespace(cp) ? SPACE : unicode.isPunctuation(cp) ? PUNCT : WORD;
                width = 2;
            }
            if (cls == WORD) {
                if (wordStart < 0) {
                    wordStart = k;
                    codePoints = 0;
                }
                codePoints++;
            } else {
                if (wordStart >= 0) {
                    if (!sink.word(ws, wordStart, k, codePoints)) return false;
                    wordStart = -1;
                }
                if (cls == PUNCT && !sink.word(ws, k, k + width, 1)) return false;
            }
            k += width;
        }
        return wordStart < 0 || sink.word(ws, wordStart, to, codePoints);
    }

    /** No pre-tokenizer: the segment is one word (when it is not empty). */
    static boolean whole(Workspace ws, int from, int to, WordSink sink) {
        return from >= to || sink.word(ws, from, to, Character.codePointCount(ws.norm, from, to - from));
    }
}
