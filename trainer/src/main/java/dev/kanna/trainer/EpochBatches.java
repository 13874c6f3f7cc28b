/*
 * Which training examples make up each micro-batch of an epoch: a pure function of (epoch, batch),
 * so a resumed run picks exactly the batches an uninterrupted one would.
 *
 * Shuffled (a plain run): the examples in a Fisher–Yates order seeded by (seed, epoch), cut into
 * batches of B, the last one shorter.
 *
 * Mixed (train --aux-train): target examples 0..nT−1 in that same order, and related-domain examples
 * nT..nT+nA−1 mixed into every batch at the share w. The target data defines the epoch:
 *
 *   A      = round(w·nT / (1 − w))   aux rows an epoch: the whole count nearest to a share of w
 *   N      = nT + A                  rows an epoch, cut into ceil(N / B) batches of B, the last shorter
 *   aux(m) = round(m·A / N)          aux rows among the epoch's first m rows (half up, in exact integers)
 *   batch k holds the rows [kB, min(kB + B, N)) of the epoch: aux(end) − aux(start) aux rows (the
 *           share A/N of B rounded down or up, never further off), the rest target rows, in that order
 *
 * So each target row comes once an epoch, the epoch holds exactly A aux rows, and every prefix of it
 * is within half a row of the share A/N (= w up to the rounding of A). The aux rows come from one
 * stream that runs across epochs, reshuffled (seeded by (seed, pass)) each time it has been used up,
 * so an aux set larger than A shows another part of itself each epoch and a smaller one repeats.
 */
package dev.kanna.trainer;

import dev.kanna.backend.DropoutRng;

import java.util.Arrays;
import java.util.SplittableRandom;

sealed interface EpochBatches permits EpochBatches.Shuffled, EpochBatches.Mixed {

    /** Micro-batches in an epoch. */
    int perEpoch();

    /** The examples of micro-batch k (0 ≤ k < perEpoch()) of an epoch. */
    int[] batch(int epoch, int k);

    /** The examples 0..n−1 shuffled each epoch, in batches of batchSize. */
    static EpochBatches shuffled(int n, int batchSize, long seed) {
        return new Shuffled(n, batchSize, seed, new EpochOrder(n, seed));
    }

    /** Target examples 0..targets−1 with aux examples targets..targets+aux−1 at the share weight of every batch. */
    static EpochBatches mixed(int targets, int aux, double weight, int batchSize, long seed) {
        return new Mixed(targets, aux, weight, batchSize, seed, new EpochOrder(targets, seed));
    }

    record Shuffled(int n, int batchSize, long seed, EpochOrder order) implements EpochBatches {
        @Override
        public int perEpoch() {
            return (n + batchSize - 1) / batchSize;
        }

        @Override
        public int[] batch(int epoch, int k) {
            int from = k * batchSize;
            return Arrays.copyOfRange(order.of(epoch), from, Math.min(n, from + batchSize));
        }
    }

    record Mixed(int targets, int aux, double weight, int batchSize, long seed, EpochOrder order)
            implements EpochBatches {

        /** A: the aux rows in an epoch. */
        int auxPerEpoch() {
            return Math.toIntExact(Math.round(weight * targets / (1 - weight)));
        }

        /** N: the rows in an epoch. */
        int rowsPerEpoch() {
            return targets + auxPerEpoch();
        }

        /** aux(m): round(m·A/N), half up, the aux rows among the first m rows of an epoch. */
        int auxAmongFirst(int m) {
            long a = auxPerEpoch(), n = rowsPerEpoch();
            return Math.toIntExact((2L * m * a + n) / (2 * n));
        }

        @Override
        public int perEpoch() {
            return (rowsPerEpoch() + batchSize - 1) / batchSize;
        }

        @Override
        public int[] batch(int epoch, int k) {
            int start = k * batchSize, end = Math.min(rowsPerEpoch(), start + batchSize);
            int auxFrom = auxAmongFirst(start), auxTo = auxAmongFirst(end);
            int targetFrom = start - auxFrom, targetTo = end - auxTo;
            int[] rows = new int[end - start];
            System.arraycopy(order.of(epoch), targetFrom, rows, 0, targetTo - targetFrom);
            long streamStart = (long) epoch * auxPerEpoch();
            for (int i = auxFrom, r = targetTo - targetFrom; i < auxTo; i++, r++) {
                long position = streamStart + i;
                rows[r] = targets + auxPass(position / aux)[(int) (position % aux)];
            }
            return rows;
        }

        /** The aux examples' order in one pass over them (the last pass asked for is kept). */
        private int[] auxPass(long pass) {
            return order.auxPass(pass, aux);
        }
    }

    /** Caches the last permutations asked for, so a batch costs O(B) rather than O(n). */
    final class EpochOrder {
        private final int n;
        private final long seed;
        private int epoch = -1;
        private int[] order;
        private long pass = -1;
        private int[] passOrder;

        EpochOrder(int n, long seed) {
            this.n = n;
            this.seed = seed;
        }

        synchronized int[] of(int e) {
            if (e != epoch) {
                order = Trainer.permutation(n, seed, e);
                epoch = e;
            }
            return order;
        }

        synchronized int[] auxPass(long p, int size) {
            if (p != pass) {
                passOrder = shuffle(size, new SplittableRandom(DropoutRng.derive(seed, 0xA0C5_0000_0000L + p)));
                pass = p;
            }
            return passOrder;
        }
    }

    /** A Fisher–Yates shuffle of 0..n−1, as Trainer.permutation draws it. */
    static int[] shuffle(int n, SplittableRandom random) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }
}
