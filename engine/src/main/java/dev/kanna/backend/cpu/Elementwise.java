/*
 * Elementwise ops over whole tensors, split over the pool in large pieces: add, scale and dropout.
 * The sum of squares runs on one thread, in index order, so its double sum has the same bits for any
 * thread count (it is gradient clipping's norm: a few million elements a step). Dropout's keep
 * decisions come from DropoutRng (a pure function of seed and index, vectorised in DropoutMask), so
 * any split of the range gives the same mask.
 */
package dev.kanna.backend.cpu;

final class Elementwise {
    private static final int LANES = VectorOps.LANES;
    /** Elements per piece: big enough that the pool's per-piece cost vanishes. */
    static final int PIECE = 1 << 14;

    private Elementwise() {
    }

    /** out = a + b (out may alias either). */
    static void add(ThreadPool pool, float[] out, float[] a, float[] b, int n) {
        pool.parallelFor(n, PIECE, (from, to) -> VectorOps.addInto(a, from, b, from, out, from, to - from));
    }

    static void scale(ThreadPool pool, float[] x, int n, float factor) {
        pool.parallelFor(n, PIECE, (from, to) -> VectorOps.scale(x, from, to - from, factor));
    }

    /** Σ x², in double, in index order. */
    static double sumOfSquares(float[] x, int n) {
        double sum = 0;
        for (int i = 0; i < n; i++) sum += (double) x[i] * x[i];
        return sum;
    }

    /** out = x·mask/(1 − p) (out may be x); mask from (seed, index). */
    static void dropout(ThreadPool pool, float[] out, float[] x, int n, float p, long seed) {
        pool.parallelFor(n, PIECE, (from, to) -> DropoutMask.apply(x, from, out, from, to - from, p, seed, from));
    }

    /** dx += dy·mask/(1 − p), with dropout's mask for the seed; p = 0 adds dy. */
    static void dropoutBackward(ThreadPool pool, float[] dx, float[] dy, int n, float p, long seed) {
        if (p == 0f) {
            pool.parallelFor(n, PIECE, (from, to) -> VectorOps.add(dy, from, dx, from, to - from));
            return;
        }
        pool.parallelFor(n, PIECE, (from, to) -> DropoutMask.accumulate(dy, from, dx, from, to - from, p, seed, from));
    }

    /** x[off + i] ← x[off + i]·mask(index0 + i)/(1 − p) for i < n, on the calling thread. */
    static void dropoutInPlace(float[] x, int off, int n, float p, long seed, long index0) {
        DropoutMask.apply(x, off, x, off, n, p, seed, index0);
    }

    /** dst(C) += Σ_r src(r, ·) over rows(R, C): each thread owns whole vectors of columns, rows in order. */
    static void addColumnSums(ThreadPool pool, float[] dst, float[] src, int rows, int cols) {
        int vectors = (cols + LANES - 1) / LANES;
        pool.parallelFor(vectors, 1, (from, to) -> {
            int k0 = from * LANES, width = Math.min(cols, to * LANES) - k0;
            for (int r = 0; r < rows; r++) VectorOps.add(src, r * cols + k0, dst, k0, width);
        });
    }
}
