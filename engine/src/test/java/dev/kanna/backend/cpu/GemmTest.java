/*
 * The packed GEMM against a naive double-precision product, for every operand layout (row-major and
 * transposed A and B, strided sub-matrices with offsets), overwrite with and without bias, accumulate,
 * and sizes that straddle every blocking boundary (MR, NR, KC = 384, MC = 240), on the pool (A packed)
 * and on the calling thread (A read in place). Tolerance: the fp32
 * summation bound (K + 2)·2⁻²⁴·Σ|terms| per element. Also: results are bitwise identical for any
 * thread count (each element is one FMA chain in K order).
 */
package dev.kanna.backend.cpu;

import dev.kanna.backend.cpu.Gemm.Mat;
import dev.kanna.backend.oracle.Close;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GemmTest {
    private static final ThreadPool POOL = new ThreadPool(3);
    private final Random random = new Random(7);

    @AfterAll
    static void close() {
        POOL.close();
    }

    private float[] randn(int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) random.nextGaussian();
        return x;
    }

    /** A (rows × cols) operand stored with padding and an offset, row-major or transposed. */
    private record Operand(Mat mat, float[] logical) {
    }

    private Operand operand(int rows, int cols, boolean transposed) {
        int pad = 3, off = 5;
        float[] logical = randn(rows * cols);
        int ld = (transposed ? rows : cols) + pad;
        float[] data = randn(off + ld * (transposed ? cols : rows));   // padding holds garbage on purpose
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                data[off + (transposed ? j * ld + i : i * ld + j)] = logical[i * cols + j];
            }
        }
        return new Operand(transposed ? Mat.transposed(data, off, ld) : Mat.rows(data, off, ld), logical);
    }

    @ParameterizedTest
    @CsvSource({"1,1,1", "1,37,5", "13,1,7", "12,32,256", "13,33,257", "241,47,3", "7,129,300", "250,70,520",
            "12,32,384", "13,33,385", "250,70,769", "37,4100,9", "481,65,66"})
    void everyLayoutAndMode(int m, int n, int k) {
        for (boolean ta : new boolean[]{false, true}) {
            for (boolean tb : new boolean[]{false, true}) {
                Operand a = operand(m, k, ta), b = operand(k, n, tb);
                float[] bias = randn(n);
                int ldc = n + 2, cOff = 4;
                float[] c0 = randn(cOff + m * ldc);
                double[] exact = new double[m * n], mag = new double[m * n];
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        for (int p = 0; p < k; p++) {
                            double t = (double) a.logical[i * k + p] * b.logical[p * n + j];
                            exact[i * n + j] += t;
                            mag[i * n + j] += Math.abs(t);
                        }
                    }
                }
                String what = m + "×" + n + "×" + k + (ta ? " aᵀ" : "") + (tb ? " bᵀ" : "");
                for (int mode = 0; mode < 6; mode++) {   // overwrite, overwrite + bias, accumulate; packed or direct A
                    float[] c = c0.clone();
                    ThreadPool pool = mode < 3 ? POOL : null;
                    Gemm.multiply(pool, m, n, k, a.mat, b.mat, c, cOff, ldc, mode % 3 == 2, mode % 3 == 1 ? bias : null);
                    double[] expected = new double[m * n], bound = new double[m * n];
                    float[] got = new float[m * n];
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < n; j++) {
                            double init = mode % 3 == 1 ? bias[j] : mode % 3 == 2 ? c0[cOff + i * ldc + j] : 0;
                            expected[i * n + j] = exact[i * n + j] + init;
                            bound[i * n + j] = (k + 2) * 0x1.0p-24 * (mag[i * n + j] + Math.abs(init)) + Float.MIN_NORMAL;
                            got[i * n + j] = c[cOff + i * ldc + j];
                        }
                        // Columns outside the product are untouched.
                        for (int j = n; j < ldc && cOff + i * ldc + j < c.length; j++) {
                            if (c[cOff + i * ldc + j] != c0[cOff + i * ldc + j]) throw new AssertionError(what + " wrote outside c");
                        }
                    }
                    Close.assertWithin(what + " mode " + mode, expected, got, bound);
                }
            }
        }
    }

    @Test
    void bitwiseIdenticalForAnyThreadCount() {
        int m = 301, n = 97, k = 530;
        Operand a = operand(m, k, false), b = operand(k, n, true);
        float[] reference = null;
        for (int threads : new int[]{1, 2, 3, 5}) {
            try (ThreadPool pool = new ThreadPool(threads)) {
                float[] c = new float[m * n];
                Gemm.multiply(pool, m, n, k, a.mat, b.mat, c, 0, n, false, null);
                if (reference == null) reference = c;
                else Close.assertBitwise(threads + " threads", reference, c);
            }
        }
    }

    @Test
    void rowBlocksAreEvenAcrossThreads() {
        for (int threads = 1; threads <= 5; threads++) {
            for (int m : new int[]{1, 11, 100, 241, 1000, 4096, 16384}) {
                int mc = Gemm.rowBlock(m, threads), blocks = (m + mc - 1) / mc;
                String what = m + " rows, " + threads + " threads: block " + mc;
                assertTrue(mc % Gemm.MR == 0 && mc <= Gemm.MC, what);
                // The last block is short by less than MR per block (the rounding), never by a whole block.
                int last = m - (blocks - 1) * mc;
                if (threads > 1 && m >= threads * 2 * Gemm.MR) assertTrue(last > mc - blocks * Gemm.MR, what + ", last " + last);
            }
        }
        // BERT's 32 × 128 rows on two threads: 18 blocks, two by two.
        assertEquals(18, (4096 + Gemm.rowBlock(4096, 2) - 1) / Gemm.rowBlock(4096, 2));
    }
}
