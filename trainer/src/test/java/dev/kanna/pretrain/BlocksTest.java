/*
 * Blocks: run_mlm's group_texts (lines with their [CLS]/[SEP] concatenated, cut, the remainder
 * dropped) and line-by-line sequences, on hand-checked inputs.
 */
package dev.kanna.pretrain;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BlocksTest {
    static final int CLS = 101, SEP = 102;

    @Test
    void groupConcatenatesLinesWithTheirSpecialsAndDropsTheRemainder() {
        List<int[]> lines = List.of(new int[]{CLS, 1, 2, SEP}, new int[]{CLS, 3, SEP}, new int[]{CLS, 4, 5, 6, SEP});
        List<int[]> blocks = Blocks.group(lines, 5);   // 12 tokens: two blocks, 2 dropped
        assertEquals(2, blocks.size());
        assertArrayEquals(new int[]{CLS, 1, 2, SEP, CLS}, blocks.get(0));
        assertArrayEquals(new int[]{3, SEP, CLS, 4, 5}, blocks.get(1));
        assertEquals(1, Blocks.group(lines, 12).size());
        assertEquals(3, Blocks.group(lines, 4).size());
    }

    @Test
    void wordStartsAreCutLikeTheIds() {
        List<boolean[]> starts = List.of(new boolean[]{false, true, false, false}, new boolean[]{false, true, false});
        List<boolean[]> blocks = Blocks.groupWordStarts(starts, 3);
        assertEquals(2, blocks.size());
        assertArrayEquals(new boolean[]{false, true, false}, blocks.get(0));
        assertArrayEquals(new boolean[]{false, false, true}, blocks.get(1));
    }

    @Test
    void aTextShorterThanOneBlockIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Blocks.group(List.of(new int[]{CLS, 1, SEP}, new int[]{CLS, SEP}), 128));
        assertTrue(e.getMessage().contains("5 tokens, fewer than one block of 128"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Blocks.group(List.of(), 8));
        assertThrows(IllegalArgumentException.class, () -> Blocks.group(List.of(new int[]{1}), 0));
    }

    @Test
    void linesAreTruncatedBetweenClsAndSep() {
        List<int[]> seqs = Blocks.lines(List.of(new int[]{1, 2, 3, 4, 5, 6}, new int[]{7}), 5, CLS, SEP);
        assertArrayEquals(new int[]{CLS, 1, 2, 3, SEP}, seqs.get(0));
        assertArrayEquals(new int[]{CLS, 7, SEP}, seqs.get(1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Blocks.lines(List.of(new int[]{1}, new int[0]), 5, CLS, SEP));
        assertTrue(e.getMessage().contains("index 1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Blocks.lines(List.of(new int[]{1}), 2, CLS, SEP));
    }
}
