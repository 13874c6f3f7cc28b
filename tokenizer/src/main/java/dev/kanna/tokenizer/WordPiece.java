/*
 * The WordPiece model: greedy longest-match-first over the vocabulary, continuation pieces spelled
 * with a prefix ("##"), and a whole word becoming the unknown token when it is longer than
 * max_input_chars_per_word code points or any piece of it has no match. Same rules as HF's
 * models/wordpiece, but the longest match is found by walking a trie once instead of trying every
 * shorter substring.
 */
package dev.kanna.tokenizer;

import java.util.ArrayList;
import java.util.List;

final class WordPiece {

    private final Vocabulary vocab;
    private final String unkToken;
    /** Id of the unknown token, or -1 when the vocabulary lacks it (an error only once needed). */
    private final int unkId;
    private final int maxInputCharsPerWord;
    private final CharTrie trie;
    /** The node that continuation pieces start from (the end of the prefix), or NONE. */
    private final int continuationRoot;

    WordPiece(Vocabulary vocab, String unkToken, String continuingPrefix, int maxInputCharsPerWord) {
        this.vocab = vocab;
        this.unkToken = unkToken;
        this.unkId = vocab.id(unkToken);
        this.maxInputCharsPerWord = maxInputCharsPerWord;
        List<String> keys = new ArrayList<>(vocab.size());
        int[] ids = new int[vocab.size()];
        for (int id = 0; id < vocab.idLimit(); id++) {
            String token = vocab.token(id);
            if (token == null) continue;
            ids[keys.size()] = id;
            keys.add(token);
        }
        this.trie = CharTrie.build(keys, ids);
        this.continuationRoot = trie.walk(continuingPrefix);
    }

    Vocabulary vocab() {
        return vocab;
    }

    String unkToken() {
        return unkToken;
    }

    int maxInputCharsPerWord() {
        return maxInputCharsPerWord;
    }

    /**
     * Appends the pieces of the word norm[from, to) (codePoints code points) to out, with offsets
     * taken from the workspace's alignment of the normalized units.
     */
    void tokenize(Workspace ws, int from, int to, int codePoints, TokenList out) {
        char[] norm = ws.norm;
        if (codePoints > maxInputCharsPerWord) {
            unknown(ws, from, to, out);
            return;
        }
        int mark = out.size;
        int start = from;
        while (start < to) {
            int node = start == from ? CharTrie.ROOT : continuationRoot;
            int bestEnd = -1, bestId = -1;
            for (int k = start; k < to && node != CharTrie.NONE; k++) {
                node = trie.child(node, norm[k]);
                if (node == CharTrie.NONE) break;
                int id = trie.value(node);
                if (id >= 0) {
                    bestEnd = k + 1;
                    bestId = id;
                }
            }
            if (bestId < 0) {
                out.setSize(mark);
                unknown(ws, from, to, out);
                return;
            }
            out.add(bestId, vocab.token(bestId), ws.normStart[start], ws.normEnd[bestEnd - 1],
                    start == from ? TokenList.WORD_START : TokenList.PIECE);
            start = bestEnd;
        }
    }

    private void unknown(Workspace ws, int from, int to, TokenList out) {
        if (unkId < 0) {
            throw new TokenizationException("the vocabulary has no unknown token " + unkToken
                    + ", needed for the word \"" + preview(ws.norm, from, to) + "\"");
        }
        out.add(unkId, unkToken, ws.normStart[from], ws.normEnd[to - 1], TokenList.WORD_START);
    }

    private static String preview(char[] norm, int from, int to) {
        int end = Math.min(to, from + 40);
        if (end < to && Character.isHighSurrogate(norm[end - 1])) end--;
        return new String(norm, from, end - from) + (end < to ? "..." : "");
    }
}
