/*
 * Inputs that are legal Java strings but unusual: lone surrogates (which HF's Python binding can
 * never receive), NUL characters, megabyte-long lines, pathological runs of combining marks. Each
 * has a defined result and finishes; none throws.
 */
package dev.kanna.tokenizer;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class BadInputTest {

    private static final BertTokenizer UNCASED = Fixtures.tokenizer("uncased");
    private static final BertTokenizer RAW = Fixtures.tokenizer("raw");  // no clean_text

    @Test
    void loneSurrogatesReadAsReplacementCharacter() {
        // With clean_text, U+FFFD is dropped: "a\uD800b" tokenizes like "ab", offsets into the original.
        Encoding e = UNCASED.encode("a\uD800b");
        assertArrayEquals(UNCASED.encode("ab").ids(), e.ids());
        assertArrayEquals(new int[]{0, 0, 0}, e.starts());
        assertArrayEquals(new int[]{0, 3, 0}, e.ends());
        assertArrayEquals(UNCASED.encode("x\uFFFDy z").ids(), UNCASED.encode("x\uDC00y z").ids());
        assertArrayEquals(UNCASED.encode("x y").ids(), UNCASED.encode("\uDBFFx y\uD800").ids());
        // Without clean_text, U+FFFD is a word of its own kind, the same as an explicit one.
        assertArrayEquals(RAW.encode("a\uFFFDb").ids(), RAW.encode("a\uD800b").ids());
        // A surrogate pair in the wrong order is two lone surrogates: two code points.
        Encoding swapped = RAW.encode("\uDE00\uD83D");
        assertArrayEquals(RAW.encode("\uFFFD\uFFFD").ids(), swapped.ids());
        assertEquals(2, swapped.ends()[1]);
    }

    @Test
    void nulCharactersAreRemovedByCleanText() {
        assertArrayEquals(UNCASED.encode("ab cd").ids(), UNCASED.encode("a\u0000b\u0000 cd\u0000").ids());
        assertArrayEquals(new int[]{101, 102}, UNCASED.encode("\u0000\u0000\u0000").ids());
    }

    @Test
    void megabyteLinesFinish() {
        String words = "hello ".repeat(175_000);  // 1,050,000 characters
        assertEquals(175_002, UNCASED.encode(words).size());
        assertEquals(128, UNCASED.withTruncation(Truncation.of(128)).encode(words).size());
        String oneWord = "a".repeat(1 << 20);      // far beyond max_input_chars_per_word
        Encoding e = UNCASED.encode(oneWord);
        assertArrayEquals(new int[]{101, 100, 102}, e.ids());
        assertEquals(1 << 20, e.ends()[1]);
        String marks = "a" + "\u0301".repeat(1 << 20);  // one base and a million combining marks
        assertArrayEquals(new int[]{101, 1037, 102}, UNCASED.encode(marks).ids());
        assertEquals(1, UNCASED.encode(marks).ends()[1]);  // the dropped marks belong to no token
        String survivors = "x" + "\uD834\uDD6D\u0316".repeat(1 << 17);  // marks NFD must reorder, 400k units
        assertEquals(3, UNCASED.encode(survivors).size());
        String cjk = "\u4e2d".repeat(1 << 18);
        assertEquals((1 << 18) + 2, UNCASED.encode(cjk).size());
    }
}
