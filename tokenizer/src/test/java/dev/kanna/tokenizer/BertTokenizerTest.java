/*
 * The public API around the pipeline: presets from tokenizer.json, truncation and padding options,
 * batches, decoding, vocabulary lookups. Expected ids come from HF `tokenizers` on the MiniLM file.
 */
package dev.kanna.tokenizer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BertTokenizerTest {

    private static final BertTokenizer UNCASED = Fixtures.tokenizer("uncased");

    @Test
    void presetsOfTheFileApplyUntilReplaced(@TempDir Path dir) throws IOException {
        BertTokenizer minilm = BertTokenizer.load(Fixtures.minilmFile(dir));
        assertEquals(Optional.of(new Truncation(128, TruncationStrategy.LONGEST_FIRST, Side.RIGHT)), minilm.truncation());
        Encoding padded = minilm.encode("hello world");
        assertEquals(128, padded.size());  // HF: padding Fixed(128) preset
        assertEquals(4, padded.unpaddedSize());
        assertEquals(0, padded.attentionMask()[4]);
        assertEquals("[PAD]", padded.tokens()[127]);
        assertEquals(4, minilm.withoutPadding().encode("hello world").size());
        assertEquals(128, minilm.withoutPadding().encode("word ".repeat(500)).size());
        assertEquals(1002, minilm.withoutPadding().withoutTruncation().encode("word ".repeat(1000)).size());
    }

    @Test
    void pairsGetTypeIdsAndSeparators() {
        Encoding e = UNCASED.encodePair("hello world", "Hello, World!");
        assertArrayEquals(new int[]{101, 7592, 2088, 102, 7592, 1010, 2088, 999, 102}, e.ids());
        assertArrayEquals(new int[]{0, 0, 0, 0, 1, 1, 1, 1, 1}, e.typeIds());
        assertArrayEquals(new int[]{0, 0, 6, 0, 0, 5, 7, 12, 0}, e.starts());  // each text's own offsets
    }

    @Test
    void withoutSpecialTokens() {
        Encoding e = UNCASED.encode("hello world", false);
        assertArrayEquals(new int[]{7592, 2088}, e.ids());
        assertArrayEquals(new int[]{0, 0}, e.specialTokensMask());
    }

    @Test
    void truncationStrategies() {
        String a = "one two three four five six seven", b = "alpha beta gamma";
        // HF: max 10 → [CLS] one two three four [SEP] alpha beta gamma [SEP]
        assertEquals(List.of("one", "two", "three", "four"), first(UNCASED.withTruncation(Truncation.of(10)).encodePair(a, b)));
        assertEquals(List.of("one", "two", "three", "four"),
                first(UNCASED.withTruncation(Truncation.of(10, TruncationStrategy.ONLY_FIRST)).encodePair(a, b)));
        // Left truncation keeps the end.
        Encoding left = UNCASED.withTruncation(new Truncation(5, TruncationStrategy.LONGEST_FIRST, Side.LEFT)).encode(a);
        assertArrayEquals(new String[]{"[CLS]", "five", "six", "seven", "[SEP]"}, left.tokens());
    }

    @Test
    void impossibleTruncationsFailClearly() {
        String a = "one two three four five six seven", b = "alpha beta gamma";
        var onlySecond = UNCASED.withTruncation(Truncation.of(5, TruncationStrategy.ONLY_SECOND));
        var e1 = assertThrows(TokenizationException.class, () -> onlySecond.encodePair(a, b));
        assertTrue(e1.getMessage().contains("only_second"), e1.getMessage());
        var e2 = assertThrows(TokenizationException.class, () -> onlySecond.encode(a + " " + b));
        assertTrue(e2.getMessage().contains("pair"), e2.getMessage());
        // HF underflows here (max length below the special tokens); we refuse.
        var tooShort = UNCASED.withTruncation(Truncation.of(2));
        var e3 = assertThrows(TokenizationException.class, () -> tooShort.encodePair(a, b));
        assertTrue(e3.getMessage().contains("3 special tokens"), e3.getMessage());
        assertArrayEquals(new int[]{101, 102}, tooShort.encode(a).ids());  // 2 specials fit exactly
        assertThrows(IllegalArgumentException.class, () -> Truncation.of(-1));
    }

    @Test
    void paddingLongestFixedMultipleAndLeft() {
        List<String> texts = List.of("a b c", "hello");
        List<Encoding> longest = UNCASED.withPadding(Padding.longest()).encodeBatch(texts);
        assertEquals(5, longest.get(1).size());
        assertArrayEquals(new int[]{1, 1, 1, 0, 0}, longest.get(1).attentionMask());
        assertArrayEquals(new int[]{101, 7592, 102, 0, 0}, longest.get(1).ids());
        assertArrayEquals(new int[]{1, 0, 1, 1, 1}, longest.get(1).specialTokensMask());
        assertEquals(8, UNCASED.withPadding(Padding.longest().withMultipleOf(8)).encode("a b c").size());
        assertEquals(16, UNCASED.withPadding(Padding.fixed(12).withMultipleOf(8)).encode("a").size());
        Encoding left = UNCASED.withPadding(Padding.fixed(5).withSide(Side.LEFT)).encode("hello");
        assertArrayEquals(new int[]{0, 0, 101, 7592, 102}, left.ids());
        assertArrayEquals(new int[]{0, 0, 1, 1, 1}, left.attentionMask());
        assertEquals(10, UNCASED.withPadding(Padding.fixed(10)).encodePair("a", "b").size());
        var noPad = Padding.longest().withPadToken("<pad>", -1);
        var e = assertThrows(TokenizerConfigException.class, () -> UNCASED.withPadding(noPad));
        assertTrue(e.getMessage().contains("<pad>"), e.getMessage());
    }

    @Test
    void batchesKeepInputOrderAndEqualSingleEncoding() {
        List<String> texts = new ArrayList<>();
        var corpus = Fixtures.corpus().get("texts");
        for (int i = 0; i < corpus.size(); i++) texts.add(corpus.get(i).asText());
        List<Encoding> batch = UNCASED.encodeBatch(texts);
        assertEquals(texts.size(), batch.size());
        for (int i = 0; i < texts.size(); i++) assertEquals(UNCASED.encode(texts.get(i)), batch.get(i), "text " + i);
        assertEquals(List.of(), UNCASED.encodeBatch(List.of()));
        List<TextPair> pairs = List.of(new TextPair("a", "b"), new TextPair("hello", "world"));
        assertEquals(UNCASED.encodePair("hello", "world"), UNCASED.encodePairBatch(pairs).get(1));
    }

    @Test
    void decodeJoinsPiecesAndSkipsWhatHfSkips() {
        int[] ids = {101, 7592, 1010, 2088, 999, 102};
        assertEquals("hello, world!", UNCASED.decode(ids, true));
        assertEquals("[CLS] hello, world! [SEP]", UNCASED.decode(ids, false));
        assertEquals("don ' t unbelievas", UNCASED.decode(new int[]{2123, 1005, 1056, 4895, 8671, 2666, 12044}, true));
        assertEquals("hello", UNCASED.decode(new int[]{7592, 99999, -1}, true));  // unknown ids are skipped
        assertEquals("", UNCASED.decode(new int[0], true));
    }

    @Test
    void vocabularyLookups() {
        assertEquals(30522, UNCASED.vocabSize());
        assertEquals(OptionalInt.of(7592), UNCASED.tokenToId("hello"));
        assertEquals(OptionalInt.of(102), UNCASED.tokenToId("[SEP]"));
        assertEquals(OptionalInt.empty(), UNCASED.tokenToId("nope-not-there"));
        assertEquals(Optional.of("hello"), UNCASED.idToToken(7592));
        assertEquals(Optional.empty(), UNCASED.idToToken(30522));
        assertEquals(Optional.empty(), UNCASED.idToToken(-5));
        assertEquals("[UNK]", UNCASED.unkToken());
        assertEquals(2, UNCASED.specialTokensAdded(false));
        assertEquals(3, UNCASED.specialTokensAdded(true));
        assertEquals(5, UNCASED.addedTokens().size());
        assertEquals(30529, Fixtures.tokenizer("added").vocabSize());  // HF: 7 of the 8 added tokens are new
    }

    @Test
    void utf16OffsetsIndexJavaStrings() {
        String text = "I \uD83D\uDE00 caf\u00e9s";  // an emoji is two UTF-16 units, one code point
        Encoding e = UNCASED.encode(text);
        for (int i = 1; i < e.size() - 1; i++) {
            String piece = text.substring(e.utf16Starts()[i], e.utf16Ends()[i]);
            assertEquals(text.codePointCount(0, e.utf16Starts()[i]), e.starts()[i]);
            assertTrue(!piece.isEmpty());
        }
        assertArrayEquals(new String[]{"[CLS]", "i", "[UNK]", "cafes", "[SEP]"}, e.tokens());
        assertEquals("\uD83D\uDE00", text.substring(e.utf16Starts()[2], e.utf16Ends()[2]));
        assertArrayEquals(new int[]{0, 0, 2, 4, 0}, e.starts());
        assertArrayEquals(new int[]{0, 0, 2, 5, 0}, e.utf16Starts());
        assertEquals("caf\u00e9s", text.substring(e.utf16Starts()[3], e.utf16Ends()[3]));
    }

    private static List<String> first(Encoding e) {
        List<String> out = new ArrayList<>();
        for (int i = 1; i < e.size() && e.typeIds()[i] == 0 && !e.tokens()[i].equals("[SEP]"); i++) out.add(e.tokens()[i]);
        return out;
    }
}
