/*
 * The added tokens (HF's AddedVocabulary): which ids they have, and where they occur in a text.
 * Tokens with normalized=false are found in the raw text first; the pieces between them are
 * normalized, and tokens with normalized=true are then found in the normalized pieces. Matching is
 * leftmost-longest and non-overlapping, as HF's Aho-Corasick search; single_word, lstrip and
 * rstrip behave as HF's find_matches.
 */
package dev.kanna.tokenizer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

final class AddedVocabulary {

    private final List<AddedToken> tokens;
    private final Map<String, Integer> contentToId = new HashMap<>();
    private final Map<Integer, AddedToken> byId = new HashMap<>();
    /** What id_to_token gives: the normalized content for normalized tokens (as HF 0.23 does). */
    private final Map<Integer, String> idToToken = new HashMap<>();
    private final Set<String> specialContents = new HashSet<>();
    private final CharTrie rawTrie;
    private final CharTrie normalizedTrie;

    /** @param normalizer applied to the content of normalized tokens; null for none */
    AddedVocabulary(List<AddedToken> tokens, BertNormalizer normalizer) {
        this.tokens = List.copyOf(tokens);
        List<String> rawKeys = new ArrayList<>(), normKeys = new ArrayList<>();
        List<Integer> rawIds = new ArrayList<>(), normIds = new ArrayList<>();
        for (AddedToken token : this.tokens) {
            if (token.content().isEmpty()) continue;  // HF ignores empty added tokens
            contentToId.put(token.content(), token.id());
            byId.put(token.id(), token);
            if (token.special()) specialContents.add(token.content());
            String key = token.normalized() ? normalize(normalizer, token.content()) : token.content();
            idToToken.put(token.id(), key);
            if (key.isEmpty()) continue;
            List<String> keys = token.normalized() ? normKeys : rawKeys;
            List<Integer> ids = token.normalized() ? normIds : rawIds;
            int existing = keys.indexOf(key);
            if (existing >= 0) {  // the same text twice: the later declaration wins, as HF's rebuild does
                ids.set(existing, token.id());
            } else {
                keys.add(key);
                ids.add(token.id());
            }
        }
        rawTrie = rawKeys.isEmpty() ? null : CharTrie.build(rawKeys, rawIds.stream().mapToInt(i -> i).toArray());
        normalizedTrie = normKeys.isEmpty() ? null
                : CharTrie.build(normKeys, normIds.stream().mapToInt(i -> i).toArray());
    }

    private static String normalize(BertNormalizer normalizer, String content) {
        if (normalizer == null) return content;
        Workspace ws = new Workspace();
        content.getChars(0, content.length(), ws.textCapacity(content.length()), 0);
        normalizer.normalize(ws, 0, content.length());
        return new String(ws.norm, 0, ws.normLength);
    }

    List<AddedToken> tokens() {
        return tokens;
    }

    boolean hasNormalizedTokens() {
        return normalizedTrie != null;
    }

    /** Id of an added token by its content, or -1. */
    int id(String content) {
        Integer id = contentToId.get(content);
        return id != null ? id : -1;
    }

    /** The token string of an added id, or null when the id is not an added token. */
    String token(int id) {
        return idToToken.get(id);
    }

    AddedToken byId(int id) {
        return byId.get(id);
    }

    boolean isSpecial(String token) {
        return specialContents.contains(token);
    }

    /**
     * Splits the raw text ws.text[0, length) around raw added tokens into ws.segments; returns the
     * segment count.
     */
    int splitRaw(Workspace ws, int length) {
        ws.segments = findMatches(ws.text, 0, length, rawTrie, ws.segments, ws);
        return ws.segmentCount;
    }

    /** Splits ws.norm[0, normLength) around normalized added tokens into ws.normSegments. */
    int splitNormalized(Workspace ws) {
        ws.normSegments = findMatches(ws.norm, 0, ws.normLength, normalizedTrie, ws.normSegments, ws);
        return ws.segmentCount;
    }

    /**
     * HF's find_matches on s[from, to): (start, end, id) triples covering the range, id -1 for
     * the text between matches. The count goes to ws.segmentCount.
     */
    private int[] findMatches(char[] s, int from, int to, CharTrie trie, int[] out, Workspace ws) {
        int count = 0;
        if (trie == null || from == to) {
            out[0] = from;
            out[1] = to;
            out[2] = -1;
            ws.segmentCount = 1;
            return out;
        }
        int startOffset = from;
        int pos = from;
        while (pos < to) {
            // Leftmost position where some token starts, then the longest token there.
            int matchStart = -1, matchEnd = -1, id = -1;
            for (int i = pos; i < to && matchStart < 0; i++) {
                int node = trie.child(CharTrie.ROOT, s[i]);
                for (int k = i; node != CharTrie.NONE; ) {
                    if (trie.value(node) >= 0) {
                        matchStart = i;
                        matchEnd = k + 1;
                        id = trie.value(node);
                    }
                    if (++k >= to) break;
                    node = trie.child(node, s[k]);
                }
            }
            if (matchStart < 0) break;
            pos = matchEnd;  // the search resumes after the match, even when the match is discarded
            AddedToken token = byId.get(id);
            int start = matchStart, stop = matchEnd;
            if (token.singleWord()) {
                boolean startOk = start == from || !isWordChar(codePointBefore(s, start, from));
                boolean stopOk = stop == to || !isWordChar(Character.codePointAt(s, stop, to));
                if (!startOk || !stopOk) continue;
            }
            if (token.lstrip()) {
                int newStart = start;
                while (newStart > from) {
                    int cp = codePointBefore(s, newStart, from);
                    if (!UnicodeTables.INSTANCE.isWhitespace(cp)) break;
                    newStart -= Character.charCount(cp);
                }
                start = Math.max(newStart, startOffset);
            }
            if (token.rstrip()) {
                while (stop < to) {
                    int cp = Character.codePointAt(s, stop, to);
                    if (!UnicodeTables.INSTANCE.isWhitespace(cp)) break;
                    stop += Character.charCount(cp);
                }
            }
            out = Workspace.growTriples(out, count + 1);
            if (startOffset < start) count = put(out, count, startOffset, start, -1);
            count = put(out, count, start, stop, id);
            startOffset = stop;
        }
        if (startOffset != to) {
            out = Workspace.growTriples(out, count);
            count = put(out, count, startOffset, to, -1);
        }
        ws.segmentCount = count;
        return out;
    }

    private static int put(int[] out, int count, int start, int end, int id) {
        out[3 * count] = start;
        out[3 * count + 1] = end;
        out[3 * count + 2] = id;
        return count + 1;
    }

    private static int codePointBefore(char[] s, int index, int from) {
        return Character.codePointBefore(s, index, from);
    }

    /** Rust regex's Unicode \w: alphabetic, marks, decimal digits, connector punctuation, joiners. */
    static boolean isWordChar(int cp) {
        if (Character.isAlphabetic(cp)) return true;
        return switch (Character.getType(cp)) {
            case Character.NON_SPACING_MARK, Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK,
                 Character.DECIMAL_DIGIT_NUMBER, Character.CONNECTOR_PUNCTUATION -> true;
            default -> cp == 0x200C || cp == 0x200D;
        };
    }
}
