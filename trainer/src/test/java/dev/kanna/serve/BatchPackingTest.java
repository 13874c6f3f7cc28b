/*
 * BatchPacking's cuts against an exhaustive search over every partition into consecutive runs, on
 * small random rounds, and the limits on their own.
 */
package dev.kanna.serve;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BatchPackingTest {
    static final int C = BatchPacking.PASS_COST_TOKENS;

    @Test
    void similarLengthsShareOnePass() {
        assertArrayEquals(new int[]{4}, BatchPacking.cuts(new int[]{30, 29, 28, 28}, 16384, 0));
    }

    @Test
    void aCutIsMadeWhereItSavesMoreThanAPassCosts() {
        int[] lengths = new int[20];
        Arrays.fill(lengths, 0, 10, 120);
        Arrays.fill(lengths, 10, 20, 10);       // one pass: 20 × 120 = 2400; two: 1200 + 100 + C
        assertArrayEquals(new int[]{10, 20}, BatchPacking.cuts(lengths, 16384, 0));
        assertArrayEquals(new int[]{3}, BatchPacking.cuts(new int[]{300, 300, 300 - C / 2}, 16384, 0),
                "saving C/2 padded tokens does not pay for a pass");
        assertArrayEquals(new int[]{2, 3}, BatchPacking.cuts(new int[]{300, 300, 300 - 2 * C}, 16384, 0),
                "saving 2C does");
    }

    @Test
    void limitsHoldAndAnInputOverTheBudgetRunsAlone() {
        assertArrayEquals(new int[]{1, 3, 4}, BatchPacking.cuts(new int[]{900, 400, 400, 300}, 800, 0));
        assertArrayEquals(new int[]{2, 4, 5}, BatchPacking.cuts(new int[]{5, 5, 5, 5, 5}, 16384, 2));
        assertArrayEquals(new int[]{}, BatchPacking.cuts(new int[]{}, 16384, 0));
    }

    @Test
    void cutsCostAsLittleAsTheBestPartition() {
        Random random = new Random(15);
        for (int round = 0; round < 300; round++) {
            int n = 1 + random.nextInt(9), budget = 64 + random.nextInt(600), maxSize = random.nextInt(4);
            int[] lengths = random.ints(n, 1, 100).boxed().sorted((a, b) -> b - a).mapToInt(Integer::intValue).toArray();
            int[] cuts = BatchPacking.cuts(lengths, budget, maxSize);
            assertEquals(n, cuts[cuts.length - 1]);
            long cost = 0;
            for (int k = 0, from = 0; k < cuts.length; from = cuts[k++]) {
                int size = cuts[k] - from;
                assertTrue(size == 1 || (size * lengths[from] <= budget && (maxSize == 0 || size <= maxSize)),
                        Arrays.toString(lengths) + " → " + Arrays.toString(cuts));
                cost += (long) size * lengths[from] + C;
            }
            assertEquals(best(lengths, 0, budget, maxSize), cost, Arrays.toString(lengths) + " → " + Arrays.toString(cuts));
        }
    }

    /** The cheapest partition of lengths[from..] into runs that keep the limits, by trying every first run. */
    private static long best(int[] lengths, int from, int budget, int maxSize) {
        if (from == lengths.length) return 0;
        long best = Long.MAX_VALUE;
        for (int to = from + 1; to <= lengths.length; to++) {
            int size = to - from;
            if (size > 1 && (size * lengths[from] > budget || (maxSize > 0 && size > maxSize))) break;
            best = Math.min(best, (long) size * lengths[from] + C + best(lengths, to, budget, maxSize));
        }
        return best;
    }
}
