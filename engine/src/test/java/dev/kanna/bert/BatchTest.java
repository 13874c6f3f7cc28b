/*
 * Batch.pad: right padding to the longest sequence, as a HF tokenizer's padding="longest" does.
 */
package dev.kanna.bert;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class BatchTest {

    @Test
    void padsIdsTypeIdsAndMaskToTheLongest() {
        Batch b = Batch.pad(List.of(new int[]{2, 7, 3}, new int[]{2, 5, 3, 8, 3}),
                List.of(new int[]{0, 0, 0}, new int[]{0, 0, 0, 1, 1}), 9);
        assertEquals(2, b.size());
        assertEquals(5, b.length());
        assertArrayEquals(new int[]{2, 7, 3, 9, 9, 2, 5, 3, 8, 3}, b.inputIds());
        assertArrayEquals(new int[]{0, 0, 0, 0, 0, 0, 0, 0, 1, 1}, b.tokenTypeIds());
        assertArrayEquals(new int[]{1, 1, 1, 0, 0, 1, 1, 1, 1, 1}, b.attentionMask());
    }

    @Test
    void withoutTypeIdsTheyAreZero() {
        Batch b = Batch.pad(List.of(new int[]{4}, new int[]{4, 6}), 0);
        assertArrayEquals(new int[]{4, 0, 4, 6}, b.inputIds());
        assertArrayEquals(new int[]{0, 0, 0, 0}, b.tokenTypeIds());
        assertArrayEquals(new int[]{1, 0, 1, 1}, b.attentionMask());
    }

    @Test
    void typeIdsOfAnotherLengthAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Batch.pad(List.of(new int[]{2, 3}), List.of(new int[]{0}), 0));
        assertEquals("sequence 0: 2 ids but 1 type ids", e.getMessage());
    }
}
