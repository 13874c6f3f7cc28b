/*
 * The on-device check the wgmma kernels must pass before the backend uses them (OwnGemm): small
 * products on this GPU against a double-precision oracle on the host. Operands are multiples of 1/64
 * below 2 in magnitude, exact in bf16, so the kernels' only error is fp32 accumulation order (~1e-7
 * relative); a wrong shared-memory layout, descriptor or fragment mapping gives errors of order 1.
 * Cases: both tile widths with partial tiles in M, N and K (K not a multiple of the 64-deep stage),
 * alpha, beta and bias in the epilogue, an n-major B through the transposing copy, and split-K.
 */
package dev.kanna.cuda;

import dev.kanna.tensor.Tensor;

import java.util.SplittableRandom;

final class WgmmaSelfCheck {
    private WgmmaSelfCheck() {
    }

    /** 1e-5 relative (Frobenius): fp32 accumulation of exact products, K ≤ 1216. */
    private static final double TOLERANCE = 1e-5;

    private record Case(int m, int n, int k, OwnGemm.WgVariant variant, boolean bNMajor, boolean splitK) {
    }

    private static final Case[] CASES = {
        new Case(136, 264, 200, OwnGemm.WgVariant.TILE256, true, false),
        new Case(136, 264, 200, OwnGemm.WgVariant.TILE128, false, false),
        new Case(72, 40, 1216, OwnGemm.WgVariant.TILE128, false, true),
    };

    /** Null when every case passes; else one line naming the first case that failed and how. */
    static String run(CudaBackend backend, OwnGemm gemm) {
        try {
            SplittableRandom r = new SplittableRandom(90);
            for (Case cs : CASES) {
                String failure = check(backend, gemm, cs, r);
                if (failure != null) return failure;
            }
            return null;
        } catch (RuntimeException e) {
            return CudaDevice.oneLine(e);
        }
    }

    private static float[] exact(SplittableRandom r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (r.nextInt(255) - 127) / 64f;
        return x;
    }

    private static String check(CudaBackend backend, OwnGemm gemm, Case cs, SplittableRandom r) {
        int m = cs.m, n = cs.n, k = cs.k, ldk = OwnGemm.paddedK(k);
        float alpha = 0.5f, beta = 1f;
        float[] a = exact(r, m * k), b = exact(r, n * k), c0 = exact(r, m * n), bias = exact(r, n);   // b: (N, K) k-major
        float[] bStored = b;
        if (cs.bNMajor) {   // the same B stored (K, N)
            bStored = new float[n * k];
            for (int j = 0; j < n; j++) for (int p = 0; p < k; p++) bStored[p * n + j] = b[j * k + p];
        }
        float[] got;
        try (var scope = backend.scope()) {
            Tensor ta = backend.upload(a, a.length), tb = backend.upload(bStored, bStored.length);
            Tensor tc = backend.upload(c0, c0.length), tbias = backend.upload(bias, n);
            Tensor a16 = backend.scratch(((long) m * ldk + 1) / 2), b16 = backend.scratch(((long) n * ldk + 1) / 2);
            gemm.convertRows(CudaBackend.buf(a16), CudaBackend.buf(ta), m, k, k, ldk);
            if (cs.bNMajor) gemm.transposeToBf16(CudaBackend.buf(b16), CudaBackend.buf(tb), k, n, n, ldk);
            else gemm.convertRows(CudaBackend.buf(b16), CudaBackend.buf(tb), n, k, k, ldk);
            gemm.gemmWg(CudaBackend.buf(tc), CudaBackend.buf(a16), CudaBackend.buf(b16), CudaBackend.buf(tbias), m, n, k, ldk,
                    alpha, beta, cs.variant, cs.splitK);
            got = backend.download(tc);
        }
        double diff = 0, norm = 0;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) s += (double) a[i * k + p] * b[j * k + p];
                double want = alpha * s + beta * c0[i * n + j] + bias[j];
                double d = got[i * n + j] - want;
                if (!Double.isFinite(got[i * n + j])) return cs + ": non-finite output at (" + i + ", " + j + ")";
                diff += d * d;
                norm += want * want;
            }
        }
        double relative = Math.sqrt(diff / norm);
        return relative <= TOLERANCE ? null : String.format("%s: relative error %.3g (bound %.0e)", cs, relative, TOLERANCE);
    }
}
