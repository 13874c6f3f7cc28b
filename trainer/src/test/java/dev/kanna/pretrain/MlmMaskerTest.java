/*
 * MlmMasker's rules on a small made-up vocabulary: what may be selected (never specials or padding),
 * what a selected or unselected position holds, whole words together under both word rules, and the
 * same masks from the same random source. The statistics against transformers are in
 * MlmMaskingStatsTest.
 */
package dev.kanna.pretrain;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MlmMaskerTest {
    // ids 0..4: [PAD] [UNK] [CLS] [SEP] [MASK]; 5..29 word-initial pieces; 30..49 "##" pieces
    static final int VOCAB = 50, PAD = 0, UNK = 1, CLS = 2, SEP = 3, MASK = 4;
    static final boolean[] SPECIAL = new boolean[VOCAB], CONTINUATION = new boolean[VOCAB];

    static {
        for (int id = 0; id <= 4; id++) SPECIAL[id] = true;
        for (int id = 30; id < VOCAB; id++) CONTINUATION[id] = true;
    }

    static MlmMasker masker(double p, boolean wholeWord) {
        return new MlmMasker(p, VOCAB, MASK, SPECIAL, wholeWord, CONTINUATION);
    }

    /** A random sequence: [CLS] pieces (about a third "##", an occasional [UNK]/[MASK]/[SEP]) [SEP]. */
    static int[] sequence(SplittableRandom random, int length) {
        int[] ids = new int[length];
        ids[0] = CLS;
        ids[length - 1] = SEP;
        for (int i = 1; i < length - 1; i++) {
            int kind = random.nextInt(20);
            ids[i] = kind == 0 ? random.nextInt(1, 5) : kind < 7 && !SPECIAL[ids[i - 1]] ? random.nextInt(30, 50) : random.nextInt(5, 30);
        }
        return ids;
    }

    @Test
    void specialsAndPaddingAreNeverSelected() {
        for (boolean wholeWord : new boolean[]{false, true}) {
            MlmMasker masker = masker(1.0, wholeWord);
            SplittableRandom data = new SplittableRandom(1);
            for (int n = 0; n < 200; n++) {
                int length = data.nextInt(2, 40);
                int[] ids = new int[length + 10];
                System.arraycopy(sequence(data, length), 0, ids, 0, length);
                for (int i = length; i < ids.length; i++) ids[i] = data.nextInt(5, VOCAB); // not even [PAD]: the length decides
                MlmMasker.Masked m = masker.mask(ids, length, new SplittableRandom(n));
                for (int i = 0; i < ids.length; i++) {
                    boolean shouldSelect = i < length && !SPECIAL[ids[i]];  // p = 1: everything else is selected
                    assertEquals(shouldSelect, m.labels()[i] != MlmMasker.IGNORED, "position " + i);
                    if (!shouldSelect) assertEquals(ids[i], m.inputIds()[i], "unselected position " + i + " changed");
                }
            }
        }
    }

    @Test
    void labelsHoldTheOriginalExactlyWhereSelectedAndUnselectedKeepTheirIds() {
        MlmMasker masker = masker(0.3, false);
        SplittableRandom data = new SplittableRandom(2);
        int selected = 0, masked = 0, replaced = 0, kept = 0;
        for (int n = 0; n < 2000; n++) {
            int[] ids = sequence(data, 64);
            MlmMasker.Masked m = masker.mask(ids, new SplittableRandom(n));
            for (int i = 0; i < ids.length; i++) {
                int label = m.labels()[i], input = m.inputIds()[i];
                if (label == MlmMasker.IGNORED) {
                    assertEquals(ids[i], input);
                    continue;
                }
                assertEquals(ids[i], label);
                assertTrue(input >= 0 && input < VOCAB);
                selected++;
                if (input == MASK) masked++;
                else if (input != ids[i]) replaced++;
                else kept++;
            }
        }
        // 80 / 10 / 10 (a random id equals the original or [MASK] 1 time in 50 here); 5 standard errors
        assertEquals(0.8 + 0.1 / VOCAB, masked / (double) selected, 5 * Math.sqrt(0.16 / selected));
        assertEquals(0.1 * (1 - 2.0 / VOCAB), replaced / (double) selected, 5 * Math.sqrt(0.09 / selected));
        assertEquals(0.1 + 0.1 / VOCAB, kept / (double) selected, 5 * Math.sqrt(0.09 / selected));
    }

    @Test
    void wholeWordsAreSelectedTogether() {
        MlmMasker masker = masker(0.4, true);
        SplittableRandom data = new SplittableRandom(3);
        int partial = 0, words = 0, selectedWords = 0;
        for (int n = 0; n < 2000; n++) {
            int[] ids = sequence(data, 48);
            int[] labels = masker.mask(ids, new SplittableRandom(n)).labels();
            for (int i = 0; i < ids.length; i++) {
                if (SPECIAL[ids[i]] || (i > 0 && CONTINUATION[ids[i]] && !SPECIAL[ids[i - 1]])) continue;
                int end = i + 1;                     // the word: this piece and the "##" pieces after it
                while (end < ids.length && CONTINUATION[ids[end]]) end++;
                int chosen = 0;
                for (int j = i; j < end; j++) if (labels[j] != MlmMasker.IGNORED) chosen++;
                words++;
                if (chosen == end - i) selectedWords++;
                else if (chosen > 0) partial++;
            }
        }
        assertEquals(0, partial, "words partly selected");
        assertEquals(0.4, selectedWords / (double) words, 5 * Math.sqrt(0.24 / words));
    }

    @Test
    void offsetWordsJoinPiecesWrittenWithoutASpace() {
        // "[CLS] tumour suppressor, p53 [SEP]" as tum ##our | supp ##ressor , | p ##53: three words
        int[] ids = {CLS, 5, 30, 6, 31, 7, 8, 32, SEP};
        int[] starts = {0, 0, 3, 7, 11, 17, 19, 20, 0};
        int[] ends = {0, 3, 6, 11, 17, 18, 20, 22, 0};
        MlmMasker masker = masker(0.5, true);
        boolean[] wordStarts = masker.offsetWordStarts(ids, ids.length, starts, ends);
        assertArrayEquals(new boolean[]{false, true, false, true, false, false, true, false, false}, wordStarts);
        assertArrayEquals(new boolean[]{false, true, false, true, false, true, true, false, false},
                masker.pieceWordStarts(ids, ids.length));
        int both = 0;
        for (int n = 0; n < 500; n++) {
            int[] labels = masker.mask(ids, ids.length, wordStarts, new SplittableRandom(n)).labels();
            boolean suppressor = labels[3] != MlmMasker.IGNORED;
            assertEquals(suppressor, labels[4] != MlmMasker.IGNORED);
            assertEquals(suppressor, labels[5] != MlmMasker.IGNORED, "the comma goes with its word");
            if (suppressor && labels[1] != MlmMasker.IGNORED) both++;
        }
        assertTrue(both > 60 && both < 190, "words drawn independently: " + both + " of 500 with both");
    }

    @Test
    void aBlockThatBeginsInsideAWordBeginsAWordThere() {
        int[] ids = {30, 31, 5, 32, SEP, CLS, 33, 6};   // a "##" piece first; one after [CLS] too
        boolean[] none = new boolean[ids.length];       // no starts given: 0 and after a special are implied
        MlmMasker masker = masker(1.0, true);
        int[] labels = masker.mask(ids, ids.length, none, new SplittableRandom(0)).labels();
        for (int i : new int[]{0, 1, 2, 3, 6, 7}) assertEquals(ids[i], labels[i], "position " + i);
        assertEquals(MlmMasker.IGNORED, labels[4]);
        assertEquals(MlmMasker.IGNORED, labels[5]);
    }

    @Test
    void sameRandomSameMasks() {
        SplittableRandom data = new SplittableRandom(4);
        for (boolean wholeWord : new boolean[]{false, true}) {
            MlmMasker masker = masker(0.15, wholeWord);
            for (int n = 0; n < 50; n++) {
                int[] ids = sequence(data, 128);
                MlmMasker.Masked a = masker.mask(ids, MlmMasker.forExample(7, 3, n));
                MlmMasker.Masked b = masker.mask(ids, MlmMasker.forExample(7, 3, n));
                assertArrayEquals(a.inputIds(), b.inputIds());
                assertArrayEquals(a.labels(), b.labels());
            }
        }
    }

    @Test
    void forExampleSeparatesSeedsEpochsAndExamples() {
        long first = MlmMasker.forExample(7, 0, 0).nextLong();
        assertEquals(first, MlmMasker.forExample(7, 0, 0).nextLong());
        assertNotEquals(first, MlmMasker.forExample(8, 0, 0).nextLong());
        assertNotEquals(first, MlmMasker.forExample(7, 1, 0).nextLong());
        assertNotEquals(first, MlmMasker.forExample(7, -1, 0).nextLong());
        assertNotEquals(first, MlmMasker.forExample(7, 0, 1).nextLong());
        assertNotEquals(MlmMasker.forExample(7, 1, 0).nextLong(), MlmMasker.forExample(7, 0, 1).nextLong());
    }

    @Test
    void badArgumentsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> masker(0.0, false));
        assertThrows(IllegalArgumentException.class, () -> masker(1.5, false));
        assertThrows(IllegalArgumentException.class, () -> masker(Double.NaN, false));
        assertThrows(IllegalArgumentException.class, () -> new MlmMasker(0.15, VOCAB, VOCAB, SPECIAL, false, null));
        assertThrows(IllegalArgumentException.class, () -> new MlmMasker(0.15, VOCAB, MASK, SPECIAL, true, null));
        MlmMasker masker = masker(0.15, false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> masker.mask(new int[]{CLS, VOCAB, SEP}, new SplittableRandom(0)));
        assertTrue(e.getMessage().contains("position 1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> masker.mask(new int[]{CLS, SEP}, 3, new SplittableRandom(0)));
        assertThrows(IllegalStateException.class,
                () -> masker.mask(new int[]{CLS, SEP}, 2, new boolean[2], new SplittableRandom(0)));
    }
}
