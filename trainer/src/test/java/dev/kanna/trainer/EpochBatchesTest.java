/*
 * The batches of an epoch with and without related-domain data: the plain plan is the shuffle the
 * trainer always used; the mixed plan puts each target row in once an epoch, holds the aux rows at
 * the share (counts worked out by hand below), keeps every prefix within half a row of it, draws
 * aux rows as an endless reshuffled stream, and is a pure function of (epoch, batch).
 */
package dev.kanna.trainer;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class EpochBatchesTest {

    private static int auxIn(int[] batch, int targets) {
        return (int) Arrays.stream(batch).filter(i -> i >= targets).count();
    }

    @Test
    void thePlainPlanCutsTheSeededShuffleIntoBatches() {
        EpochBatches plain = EpochBatches.shuffled(50, 8, 42);
        assertEquals(7, plain.perEpoch(), "50 rows in batches of 8: 6 full, one of 2");
        for (int epoch = 0; epoch < 3; epoch++) {
            int[] order = Trainer.permutation(50, 42, epoch);
            for (int k = 0; k < 7; k++) {
                assertArrayEquals(Arrays.copyOfRange(order, k * 8, Math.min(50, k * 8 + 8)), plain.batch(epoch, k));
            }
        }
    }

    @Test
    void aQuarterOfEveryBatchWhenTheShareDividesTheBatch() {
        // w = 0.25, 48 target rows: A = 0.25·48/0.75 = 16 aux rows, N = 64, 8 batches of 6 target + 2 aux.
        EpochBatches.Mixed mixed = (EpochBatches.Mixed) EpochBatches.mixed(48, 30, 0.25, 8, 42);
        assertEquals(16, mixed.auxPerEpoch());
        assertEquals(8, mixed.perEpoch());
        for (int k = 0; k < 8; k++) {
            int[] batch = mixed.batch(0, k);
            assertEquals(8, batch.length);
            assertEquals(2, auxIn(batch, 48), "batch " + k);
        }
    }

    @Test
    void theShareOverAnEpochIsExactAndNoBatchStraysByMoreThanOneRow() {
        // w = 0.3, 48 target rows, batches of 8: A = round(0.3·48/0.7 = 20.57) = 21, N = 69, 9 batches (the last of 5).
        // aux(m) = round(21m/69) at m = 8, 16, ..., 64, 69: 2, 5, 7, 10, 12, 15, 17, 19, 21 (by hand: 2.43, 4.87,
        // 7.30, 9.74, 12.17, 14.61, 17.04, 19.48, 21), so the batches hold 2, 3, 2, 3, 2, 3, 2, 2, 2 aux rows.
        EpochBatches.Mixed mixed = (EpochBatches.Mixed) EpochBatches.mixed(48, 30, 0.3, 8, 42);
        assertEquals(21, mixed.auxPerEpoch());
        assertEquals(9, mixed.perEpoch());
        int[] expectedAux = {2, 3, 2, 3, 2, 3, 2, 2, 2};
        for (int epoch = 0; epoch < 3; epoch++) {
            List<Integer> targets = new ArrayList<>();
            int aux = 0, rows = 0;
            for (int k = 0; k < 9; k++) {
                int[] batch = mixed.batch(epoch, k);
                assertEquals(k < 8 ? 8 : 5, batch.length, "batch " + k);
                assertEquals(expectedAux[k], auxIn(batch, 48), "epoch " + epoch + " batch " + k);
                for (int i : batch) if (i < 48) targets.add(i); else assertTrue(i < 48 + 30, "an aux index: " + i);
                aux += auxIn(batch, 48);
                rows += batch.length;
                // Every prefix of the epoch is within half a row of the share A/N.
                assertTrue(Math.abs(aux - rows * 21.0 / 69) <= 0.5, "after batch " + k + ": " + aux + " of " + rows);
            }
            assertEquals(21, aux);
            // The target rows come once each, in the order a plain run shuffles them into.
            int[] order = Trainer.permutation(48, 42, epoch);
            assertEquals(Arrays.stream(order).boxed().toList(), targets, "epoch " + epoch);
        }
    }

    @Test
    void auxRowsAreAStreamReshuffledEachTimeItIsUsedUp() {
        // 10 aux rows, 16 an epoch: the stream's first 10 positions are each aux row once, the next 10 again.
        EpochBatches.Mixed mixed = (EpochBatches.Mixed) EpochBatches.mixed(48, 10, 0.25, 8, 42);
        List<Integer> stream = new ArrayList<>();
        for (int epoch = 0; epoch < 2; epoch++) {
            for (int k = 0; k < mixed.perEpoch(); k++) {
                for (int i : mixed.batch(epoch, k)) if (i >= 48) stream.add(i - 48);
            }
        }
        assertEquals(32, stream.size());
        for (int pass = 0; pass < 3; pass++) {
            Set<Integer> seen = new HashSet<>(stream.subList(pass * 10, pass * 10 + 10));
            assertEquals(10, seen.size(), "pass " + pass + " shows every aux row once: " + stream);
        }
        assertNotEquals(stream.subList(0, 10), stream.subList(10, 20), "each pass reshuffled");
    }

    @Test
    void aBatchDependsOnlyOnItsEpochAndIndex() {
        // As a resumed run asks: out of order, from a fresh plan.
        EpochBatches.Mixed first = (EpochBatches.Mixed) EpochBatches.mixed(48, 7, 0.3, 8, 42);
        List<int[]> inOrder = new ArrayList<>();
        for (int epoch = 0; epoch < 3; epoch++) for (int k = 0; k < first.perEpoch(); k++) inOrder.add(first.batch(epoch, k));
        EpochBatches.Mixed fresh = (EpochBatches.Mixed) EpochBatches.mixed(48, 7, 0.3, 8, 42);
        for (int n = inOrder.size() - 1; n >= 0; n--) {
            assertArrayEquals(inOrder.get(n), fresh.batch(n / first.perEpoch(), n % first.perEpoch()), "batch " + n);
        }
        EpochBatches.Mixed otherSeed = (EpochBatches.Mixed) EpochBatches.mixed(48, 7, 0.3, 8, 43);
        assertFalse(Arrays.equals(inOrder.getFirst(), otherSeed.batch(0, 0)));
    }
}
