/*
 * Matrix products on the GPU against a double-precision oracle: every operand layout, batched,
 * alpha/beta accumulation, bias, split-K, sizes that leave partial tiles and unaligned rows; then the
 * Linear forward/backward against the CPU backend in both precisions. The mixed backend's products
 * run on every path it has (wgmma where the GPU is compute capability 9.0, mma.sync, fp32 staging).
 */
package dev.kanna.cuda;

import dev.kanna.tensor.DType;
import dev.kanna.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class CudaGemmTest extends GpuTestBase {

    /** C = alpha · op(A) · op(B) + beta · C0 + bias in double, batch after batch. */
    static double[] oracle(float[] a, float[] b, float[] c0, float[] bias, int m, int n, int k, boolean aKM,
                           boolean bKM, float alpha, float beta, int batch) {
        double[] c = new double[batch * m * n];
        for (int z = 0; z < batch; z++) {
            int oa = z * m * k, ob = z * k * n, oc = z * m * n;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int p = 0; p < k; p++) {
                        double x = a[oa + (aKM ? i * k + p : p * m + i)];
                        double y = b[ob + (bKM ? j * k + p : p * n + j)];
                        s += x * y;
                    }
                    double v = alpha * s + (beta == 0 ? 0 : beta * c0[oc + i * n + j]);
                    if (bias != null) v += bias[j];
                    c[oc + i * n + j] = v;
                }
            }
        }
        return c;
    }

    private record Case(int m, int n, int k, int batch, float alpha, float beta, boolean bias) {
    }

    private static final Case[] CASES = {
        new Case(77, 45, 133, 1, 1f, 0f, true),      // partial tiles, odd leading dimensions (scalar loads)
        new Case(128, 256, 96, 1, 1f, 1f, false),    // full tiles, vector loads, accumulate
        new Case(259, 130, 97, 1, 0.5f, -2f, true),  // several tiles in both directions
        new Case(33, 17, 65, 3, 1f, 1f, false),      // batched
        new Case(70, 50, 2100, 1, 1f, 1f, true),     // few tiles, long K: split-K
        new Case(1, 7, 5, 1, 1f, 0f, true),          // a single row
        // leading dimensions divisible by 8: the mixed backend's bf16-copy path
        new Case(136, 88, 264, 1, 1f, 1f, true),     // partial tiles
        new Case(64, 48, 4096, 1, 1f, 1f, false),    // split-K
        new Case(40, 24, 72, 2, 2f, 0f, true),       // batched
    };

    /**
     * Runs every case and layout on `backend`'s own kernels. exactInputs: operands pre-rounded to
     * bf16, so a tensor-core product differs from the oracle only by fp32 accumulation order.
     */
    private void ownKernels(CudaBackend backend, double tol, boolean exactInputs, long seed) {
        Random r = new Random(seed);
        for (Case cs : CASES) {
            for (int layout = 0; layout < 4; layout++) {
                boolean aKM = (layout & 1) == 0, bKM = (layout & 2) == 0;
                int m = cs.m, n = cs.n, k = cs.k, batch = cs.batch;
                float[] a = Check.gaussian(r, batch * m * k, 1), b = Check.gaussian(r, batch * k * n, 1);
                if (exactInputs) {
                    a = Check.bf16(a);
                    b = Check.bf16(b);
                }
                float[] c0 = cs.beta == 0 ? Check.nan(batch * m * n) : Check.gaussian(r, batch * m * n, 1);
                float[] bias = cs.bias ? Check.gaussian(r, n, 1) : null;
                try (var scope = backend.scope()) {
                    Tensor ta = backend.upload(a, a.length), tb = backend.upload(b, b.length), tc = backend.upload(c0, c0.length);
                    Tensor tbias = bias == null ? null : backend.upload(bias, n);
                    backend.ownGemm().gemm(CudaBackend.buf(tc), CudaBackend.buf(ta), CudaBackend.buf(tb), CudaBackend.buf(tbias),
                            m, n, k, aKM, bKM, cs.alpha, cs.beta, batch, (long) m * k, (long) k * n, (long) m * n);
                    double[] expected = oracle(a, b, c0, bias, m, n, k, aKM, bKM, cs.alpha, cs.beta, batch);
                    Check.relative(cs + " " + OwnGemm.layout(aKM, bKM), expected, backend.download(tc), tol);
                }
            }
        }
    }

    @Test
    void fp32SimtKernelsMatchOracle() {
        ownKernels(gpu, 1e-5, false, 1);   // fp32 with K ≤ 2100: accumulation-order error ~1e-6
    }

    /**
     * Runs body on the mixed backend with each product path it has: wgmma on k-major bf16 copies
     * (compute capability 9.0, batch 1), mma.sync on bf16 copies (where aligned), fp32 staging.
     */
    private static void bothOperandPaths(Runnable body) {
        boolean wgmma = mixed.ownGemm().wgmma();
        try {
            if (wgmma) body.run();
            mixed.ownGemm().useWgmma(false);
            for (boolean copies : new boolean[]{true, false}) {
                mixed.ownGemm().useBf16Operands(copies);
                body.run();
            }
        } finally {
            mixed.ownGemm().useBf16Operands(true);
            mixed.ownGemm().useWgmma(wgmma);
        }
    }

    /**
     * The wgmma kernels (compute capability 9.0 only) against the oracle, exact bf16 inputs: both tile
     * widths, whole and partial tiles, K tails, alpha/beta/bias, split-K. On a 9.0 device the
     * backend must have taken them (their self-check passed); elsewhere the test skips.
     */
    @Test
    void wgmmaKernelsAreExactOnBf16Inputs() {
        assumeTrue(mixed.kernels().hopper(), "wgmma kernels need compute capability 9.0");
        assertTrue(mixed.ownGemm().wgmma(), "wgmma not in use on a 9.0 device: " + mixed.description());
        Random r = new Random(13);
        // (M, N, K, split-K): whole 128 × 256 tiles; partial tiles with a K tail; many tiles; few tiles, long K
        int[][] sizes = {{256, 512, 128, 0}, {200, 136, 72, 0}, {384, 1000, 328, 0}, {70, 50, 4096, 1}};
        for (int[] s : sizes) {
            int m = s[0], n = s[1], k = s[2], ldk = OwnGemm.paddedK(k);
            for (OwnGemm.WgVariant variant : OwnGemm.WgVariant.values()) {
                float[] a = Check.bf16(Check.gaussian(r, m * k, 1)), b = Check.bf16(Check.gaussian(r, n * k, 1));
                float[] c0 = Check.gaussian(r, m * n, 1), bias = Check.gaussian(r, n, 1);
                try (var scope = mixed.scope()) {
                    Tensor ta = mixed.upload(a, a.length), tb = mixed.upload(b, b.length), tc = mixed.upload(c0, c0.length);
                    Tensor tbias = mixed.upload(bias, n);
                    Tensor a16 = mixed.empty(DType.F32, (m * ldk + 1) / 2), b16 = mixed.empty(DType.F32, (n * ldk + 1) / 2);
                    mixed.ownGemm().convertRows(CudaBackend.buf(a16), CudaBackend.buf(ta), m, k, k, ldk);
                    mixed.ownGemm().convertRows(CudaBackend.buf(b16), CudaBackend.buf(tb), n, k, k, ldk);
                    mixed.ownGemm().gemmWg(CudaBackend.buf(tc), CudaBackend.buf(a16), CudaBackend.buf(b16),
                            CudaBackend.buf(tbias), m, n, k, ldk, 0.5f, 1f, variant, s[3] == 1);
                    double[] expected = oracle(a, b, c0, bias, m, n, k, true, true, 0.5f, 1f, 1);
                    Check.relative("wgmma " + m + "x" + n + "x" + k + " " + variant, expected, mixed.download(tc), 1e-5);
                }
            }
        }
    }

    @Test
    void tensorCoreKernelsAreExactOnBf16Inputs() {
        // bf16 × bf16 products are exact in fp32; only summation order differs
        bothOperandPaths(() -> ownKernels(mixed, 1e-5, true, 2));
    }

    @Test
    void tensorCoreKernelsOnFp32InputsWithinBf16Error() {
        // operands rounded to bf16 (2⁻⁹ relative each): ~3e-3 typical
        bothOperandPaths(() -> ownKernels(mixed, 1e-2, false, 3));
    }

    @Test
    void bf16OperandKernelsAreExactOnBf16Inputs() {
        Random r = new Random(4);
        // multiples of 8: whole tiles (the candidates' bounds-free path), partial tiles, a K tail
        int[][] sizes = {{256, 512, 128}, {200, 136, 72}, {128, 264, 40}};
        for (int[] s : sizes) {
            int m = s[0], n = s[1], k = s[2];
            for (int layout = 0; layout < 4; layout++) {
                boolean aKM = (layout & 1) == 0, bKM = (layout & 2) == 0;
                for (OwnGemm.Bf16Variant variant : OwnGemm.Bf16Variant.values()) {
                    if (variant.candidate() && !aKM) continue;   // candidates are built for k-major A only
                    float[] a = Check.bf16(Check.gaussian(r, m * k, 1)), b = Check.bf16(Check.gaussian(r, k * n, 1));
                    try (var scope = mixed.scope()) {
                        Tensor ta = mixed.upload(a, a.length), tb = mixed.upload(b, b.length);
                        Tensor a16 = mixed.empty(DType.F32, (m * k + 1) / 2), b16 = mixed.empty(DType.F32, (k * n + 1) / 2);
                        mixed.ownGemm().convertToBf16(CudaBackend.buf(a16), CudaBackend.buf(ta), (long) m * k);
                        mixed.ownGemm().convertToBf16(CudaBackend.buf(b16), CudaBackend.buf(tb), (long) k * n);
                        Tensor tc = mixed.upload(Check.nan(m * n), m * n);
                        mixed.ownGemm().gemmBf16(CudaBackend.buf(tc), CudaBackend.buf(a16), CudaBackend.buf(b16), m, n, k,
                                aKM, bKM, variant);
                        double[] expected = oracle(a, b, null, null, m, n, k, aKM, bKM, 1f, 0f, 1);
                        Check.relative("bf16 " + m + "x" + n + "x" + k + " " + OwnGemm.layout(aKM, bKM) + " " + variant,
                                expected, mixed.download(tc), 1e-5);
                    }
                }
            }
        }
    }

    @Test
    void splitKIsReproducible() {
        Random r = new Random(5);
        int m = 64, n = 48, k = 3000;
        float[] a = Check.gaussian(r, m * k, 1), b = Check.gaussian(r, k * n, 1);
        for (CudaBackend backend : new CudaBackend[]{gpu, mixed}) {
            try (var scope = backend.scope()) {
                Tensor ta = backend.upload(a, a.length), tb = backend.upload(b, b.length);
                Tensor c1 = backend.zeros(m * n), c2 = backend.zeros(m * n);
                backend.ownGemm().gemm(CudaBackend.buf(c1), CudaBackend.buf(ta), CudaBackend.buf(tb), null, m, n, k,
                        false, false, 1f, 1f, 1, 0, 0, 0);
                backend.ownGemm().gemm(CudaBackend.buf(c2), CudaBackend.buf(ta), CudaBackend.buf(tb), null, m, n, k,
                        false, false, 1f, 1f, 1, 0, 0, 0);
                Check.bitwise("split-K twice", backend.download(c1), backend.download(c2));
            }
        }
    }

    /** Linear forward and backward against the CPU backend (all gradients accumulate into random values). */
    private void linearParity(CudaBackend backend, int rows, int in, int out, boolean mixedTol, long seed) {
        Random r = new Random(seed);
        float[] x = Check.gaussian(r, rows * in, 1), w = Check.gaussian(r, out * in, 0.1), bias = Check.gaussian(r, out, 0.1);
        float[] dy = Check.gaussian(r, rows * out, 1);
        float[] dx0 = Check.gaussian(r, rows * in, 1), dw0 = Check.gaussian(r, out * in, 1), db0 = Check.gaussian(r, out, 1);
        float[][] ref = new float[4][], got = new float[4][];
        for (int side = 0; side < 2; side++) {
            var b = side == 0 ? cpu : backend;
            try (var scope = b.scope()) {
                Tensor tx = b.upload(x, rows, in), tw = b.upload(w, out, in), tb = b.upload(bias, out);
                Tensor ty = b.upload(Check.nan(rows * out), rows, out);
                b.linear(ty, tx, tw, tb);
                Tensor tdy = b.upload(dy, rows, out);
                Tensor tdx = b.upload(dx0, rows, in), tdw = b.upload(dw0, out, in), tdb = b.upload(db0, out);
                b.linearBackward(tdx, tdw, tdb, tdy, tx, tw);
                float[][] res = {b.download(ty), b.download(tdx), b.download(tdw), b.download(tdb)};
                if (side == 0) ref = res;
                else got = res;
            }
        }
        String[] names = {"out", "dIn", "dWeight", "dBias"};
        for (int i = 0; i < 4; i++) {
            String what = "linear " + rows + "x" + in + "→" + out + " " + names[i];
            if (mixedTol && i < 3) Check.relative(what, ref[i], got[i], 1e-2);   // bf16 operands
            else Check.close(what, ref[i], got[i], 1e-4, 1e-4);                 // fp32, different summation order
        }
    }

    @Test
    void linearMatchesCpuInFp32() {
        linearParity(gpu, 37, 45, 29, false, 6);
        linearParity(gpu, 300, 64, 200, false, 7);
        linearParity(gpu, 1100, 70, 50, false, 8);   // dWeight takes the split-K path
    }

    @Test
    void linearMatchesCpuInMixedPrecision() {
        bothOperandPaths(() -> {
            linearParity(mixed, 37, 45, 29, true, 9);
            linearParity(mixed, 300, 64, 200, true, 10);    // aligned: bf16 copies
            linearParity(mixed, 1100, 70, 50, true, 11);
            linearParity(mixed, 1024, 96, 72, true, 12);    // aligned, dWeight split over K
            linearParity(mixed, 512, 768, 768, true, 14);   // bert-base width
        });
    }

    @Test
    void linearBackwardSkipsNullGradients() {
        Random r = new Random(12);
        try (var scope = gpu.scope()) {
            Tensor x = gpu.upload(Check.gaussian(r, 20 * 8, 1), 20, 8), w = gpu.upload(Check.gaussian(r, 6 * 8, 1), 6, 8);
            Tensor dy = gpu.upload(Check.gaussian(r, 20 * 6, 1), 20, 6);
            float[] db0 = Check.gaussian(r, 6, 1);
            Tensor db = gpu.upload(db0, 6);
            gpu.linearBackward(null, null, db, dy, x, w);
            float[] expected = db0.clone();
            float[] g = gpu.download(dy);
            for (int i = 0; i < 20; i++) for (int j = 0; j < 6; j++) expected[j] += g[i * 6 + j];
            Check.close("dBias alone", expected, gpu.download(db), 1e-5, 1e-5);
        }
    }

    @Test
    void descriptionNamesTheGemm() {
        assertEquals(true, gpu.description().contains("gemm:"), gpu.description());
        assertEquals(true, mixed.description().contains("gemm:"), mixed.description());
    }
}
