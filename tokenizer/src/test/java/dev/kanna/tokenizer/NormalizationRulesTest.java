/*
 * One test per rule of the BERT pipeline, on the MiniLM vocabulary, with expectations taken from HF
 * `tokenizers` 0.23.2 (the ids, tokens and offsets in the comments were printed by it). Where HF's
 * character data differs from Java's Character class, the test says so: that is why the tokenizer
 * ships its own tables.
 */
package dev.kanna.tokenizer;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NormalizationRulesTest {

    private static final BertTokenizer UNCASED = Fixtures.tokenizer("uncased");

    /** Tokens between [CLS] and [SEP]. */
    private static String[] tokens(BertTokenizer t, String text) {
        String[] all = t.encode(text).tokens();
        return Arrays.copyOfRange(all, 1, all.length - 1);
    }

    private static int[] offsets(BertTokenizer t, String text) {
        Encoding e = t.encode(text);
        int[] out = new int[2 * (e.size() - 2)];
        for (int i = 1; i < e.size() - 1; i++) {
            out[2 * (i - 1)] = e.starts()[i];
            out[2 * (i - 1) + 1] = e.ends()[i];
        }
        return out;
    }

    @Test
    void wordsPunctuationAndOffsets() {
        Encoding e = UNCASED.encode("Hello, World!");
        assertArrayEquals(new int[]{101, 7592, 1010, 2088, 999, 102}, e.ids());
        assertArrayEquals(new int[]{0, 5, 5, 6, 7, 12, 12, 13}, offsets(UNCASED, "Hello, World!"));
        assertArrayEquals(new int[]{0, 0, 0, 0, 0, 0}, e.typeIds());
        assertArrayEquals(new int[]{1, 0, 0, 0, 0, 1}, e.specialTokensMask());
    }

    @Test
    void wordPieceUsesLongestMatchFirstWithContinuationPrefix() {
        assertArrayEquals(new String[]{"un", "##bel", "##ie", "##va", "##bly"}, tokens(UNCASED, "unbelievably"));
        assertArrayEquals(new int[]{0, 2, 2, 5, 5, 7, 7, 9, 9, 12}, offsets(UNCASED, "unbelievably"));
    }

    @Test
    void cleanTextUsesRustWhitespaceNotJavas() {
        // U+00A0 is White_Space (HF splits on it) but not Java whitespace.
        assertFalse(Character.isWhitespace('\u00a0'));
        assertArrayEquals(new String[]{"a", "b"}, tokens(UNCASED, "a\u00a0b"));
        // U+001C is Java whitespace but HF's clean_text drops it as a control character.
        assertTrue(Character.isWhitespace('\u001c'));
        assertArrayEquals(new String[]{"ab"}, tokens(UNCASED, "a\u001cb"));
        assertArrayEquals(new int[]{0, 3}, offsets(UNCASED, "a\u001cb"));
        // Zero-width space (Cf) is removed; the word spans it in the original text.
        assertArrayEquals(new String[]{"ab"}, tokens(UNCASED, "a\u200bb"));
        assertArrayEquals(new int[]{0, 3}, offsets(UNCASED, "a\u200bb"));
    }

    @Test
    void nulAndReplacementCharacterAreDropped() {
        assertArrayEquals(new String[]{"ab"}, tokens(UNCASED, "a\u0000b"));
        assertArrayEquals(new String[]{"ab"}, tokens(UNCASED, "a\ufffdb"));
    }

    @Test
    void chineseCharactersAreIsolatedUsingHfRanges() {
        String before = "x" + Character.toString(0x2B81F) + "y";  // last of Extension D: isolated
        String gap = "x" + Character.toString(0x2B820) + "y";     // 2B820..2B91F: not in HF's ranges
        String after = "x" + Character.toString(0x2B920) + "y";   // HF starts again at 2B920
        assertArrayEquals(new String[]{"x", "[UNK]", "y"}, tokens(UNCASED, before));
        assertArrayEquals(new String[]{"[UNK]"}, tokens(UNCASED, gap));
        assertArrayEquals(new String[]{"x", "[UNK]", "y"}, tokens(UNCASED, after));
        assertArrayEquals(new int[]{0, 1, 1, 2, 2, 3}, offsets(UNCASED, after));  // code points, not UTF-16
        assertArrayEquals(new String[]{"中", "文", "a"}, tokens(UNCASED, "中文a"));
    }

    @Test
    void accentsAreStrippedThenLowercased() {
        assertArrayEquals(new String[]{"cafe"}, tokens(UNCASED, "CAFÉ"));
        assertArrayEquals(new int[]{0, 4}, offsets(UNCASED, "Café"));
        assertArrayEquals(new String[]{"cafe"}, tokens(UNCASED, "Cafe\u0301"));  // decomposed input
        BertTokenizer cased = Fixtures.tokenizer("cased");
        assertEquals(NormalizerOptions.cased(), cased.normalizerOptions().orElseThrow());
        assertFalse(Arrays.equals(tokens(UNCASED, "Café"), tokens(cased, "Café")));
    }

    @Test
    void lowercaseIsPerCodePointWithFullMapping() {
        // Without accent stripping, İ lowercases to i + U+0307 (two code points, both aligned to İ).
        BertTokenizer lowerOnly = Fixtures.tokenizer("lower_only");
        assertArrayEquals(new String[]{"[UNK]"}, tokens(lowerOnly, "İstanbul"));
        assertArrayEquals(new int[]{0, 8}, offsets(lowerOnly, "İstanbul"));
        // With stripping first, İ → I + U+0307 → I → i.
        assertArrayEquals(new String[]{"istanbul"}, tokens(UNCASED, "İstanbul"));
    }

    @Test
    void punctuationFollowsHfCategoriesNotJavas() {
        // U+2E43 is punctuation (Po) in Java's newer Unicode data but not in HF's tables.
        assertEquals(Character.OTHER_PUNCTUATION, Character.getType(0x2E43));
        assertArrayEquals(new String[]{"[UNK]"}, tokens(UNCASED, "a\u2e43b"));
        assertArrayEquals(new String[]{"a", "¿", "b"}, tokens(UNCASED, "a¿b"));
    }

    @Test
    void wordsLongerThanMaxInputCharsBecomeOneUnknown() {
        assertEquals(50, tokens(UNCASED, "a".repeat(100)).length);
        assertArrayEquals(new String[]{"[UNK]"}, tokens(UNCASED, "a".repeat(101)));
        assertArrayEquals(new int[]{0, 101}, offsets(UNCASED, "a".repeat(101)));
        // The limit counts code points: 100 emoji are 200 UTF-16 units but still one allowed word.
        String emoji = Character.toString(0x1F600);
        assertArrayEquals(new int[]{0, 100}, offsets(UNCASED, emoji.repeat(100)));
        assertArrayEquals(new int[]{0, 101}, offsets(UNCASED, emoji.repeat(101)));
        assertArrayEquals(new int[]{0, 202}, Arrays.copyOfRange(utf16(UNCASED.encode(emoji.repeat(101))), 2, 4));
    }

    @Test
    void specialTokensInRawTextAreMatchedWhole() {
        Encoding e = UNCASED.encode("hello[SEP]world");
        assertArrayEquals(new int[]{101, 7592, 102, 2088, 102}, e.ids());
        assertArrayEquals(new int[]{0, 5, 5, 10, 10, 15}, offsets(UNCASED, "hello[SEP]world"));
        // Special tokens found in the text are not marked special (only the template's are).
        assertArrayEquals(new int[]{1, 0, 0, 0, 1}, e.specialTokensMask());
        // Lowercase "[sep]" is not the special token: it is punctuation and a word.
        assertArrayEquals(new String[]{"[", "sep", "]"}, tokens(UNCASED, "[sep]"));
    }

    private static int[] utf16(Encoding e) {
        int[] out = new int[2 * e.size()];
        for (int i = 0; i < e.size(); i++) {
            out[2 * i] = e.utf16Starts()[i];
            out[2 * i + 1] = e.utf16Ends()[i];
        }
        return out;
    }
}
