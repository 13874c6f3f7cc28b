/*
 * The in-register block transpose against the index formula, and the B packing it serves: a matrix
 * stored transposed packs to exactly the same panels as the same matrix stored row-major (packing only
 * moves values, so the comparison is bitwise), at panel widths, K tails and offsets around the
 * transpose's block size. Runs at every vector width the engine's test executions use.
 */
package dev.kanna.backend.cpu;

import dev.kanna.backend.cpu.Gemm.Mat;
import dev.kanna.backend.oracle.Close;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TransposesTest {
    private final Random random = new Random(11);

    private float[] randn(int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) random.nextGaussian();
        return x;
    }

    @Test
    void transposesOneBlock() {
        Assumptions.assumeTrue(Transposes.SUPPORTED, "no generated transpose for " + Transposes.LANES + " lanes");
        int lanes = Transposes.LANES, ld = lanes + 7, off = 3, dLd = lanes + 5, dOff = 2;
        float[] src = randn(off + lanes * ld), dst = new float[dOff + lanes * dLd];
        Transposes.transpose(src, off, ld, dst, dOff, dLd);
        for (int p = 0; p < lanes; p++) {
            for (int q = 0; q < lanes; q++) {
                assertEquals(src[off + q * ld + p], dst[dOff + p * dLd + q], "element (" + p + ", " + q + ")");
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"1,1", "5,33", "16,64", "17,64", "31,96", "384,70", "385,33"})
    void transposedStoragePacksLikeRowMajor(int kc, int nc) {
        int k = kc + 9, n = nc + 4, pc = 3, jc = 2;            // pack a sub-block, away from the edges
        float[] logical = randn(k * n);                        // (k, n), row-major
        float[] stored = new float[7 + n * (k + 1)];           // the same matrix stored transposed, ld k + 1
        for (int p = 0; p < k; p++) {
            for (int j = 0; j < n; j++) stored[7 + j * (k + 1) + p] = logical[p * n + j];
        }
        int panels = (nc + Gemm.NR - 1) / Gemm.NR;
        float[] fromRows = new float[panels * Gemm.NR * kc], fromTransposed = new float[fromRows.length];
        Gemm.packB(Mat.rows(logical, 0, n), pc, kc, jc, nc, 0, panels, fromRows, 0);
        Gemm.packB(Mat.transposed(stored, 7, k + 1), pc, kc, jc, nc, 0, panels, fromTransposed, 0);
        Close.assertBitwise(kc + "×" + nc, fromRows, fromTransposed);
    }
}
