/*
 * Matrix products on our own PTX kernels (gemm.cu, gemm_bf16.cu). Mixed precision: bf16 tensor cores
 * with fp32 accumulation. The fp32 operands are first rounded into bf16 scratch copies (one
 * memory-bound pass each, a few µs at BERT sizes) and multiplied by the cp.async bf16 kernels; where a
 * leading dimension is not a multiple of 8 (16-byte rows), the fp32-operand kernels round while
 * staging instead. Measured on an H200 at 4096³: 218 TFLOP/s for the bf16 kernel against 123 for the
 * fp32-operand one. fp32 mode: the SIMT fp32 kernels. When a product has too few output tiles to fill
 * the GPU (a weight gradient: 768 × 768 outputs over 4096 rows), K is split over more blocks and the
 * slices are summed in a fixed order by a second kernel, so results stay bitwise reproducible.
 */
package dev.kanna.cuda;

import dev.kanna.tensor.Tensor;

public final class OwnGemm implements MatMul {

    private static final int TILE = 128;     // output tile of every kernel used here (128 × 128)
    private static final int K_STEP = 32;    // K slices are multiples of this (the tensor-core k tile)

    private final CudaBackend backend;
    private final Kernels kernels;
    private final boolean mixed;
    /** Mixed precision: bf16 copies + cp.async kernels when aligned (-Dkanna.cuda.gemmOperands=f32: never). */
    private boolean bf16Operands = !"f32".equals(System.getProperty("kanna.cuda.gemmOperands"));

    OwnGemm(CudaBackend backend, Kernels kernels, boolean mixed) {
        this.backend = backend;
        this.kernels = kernels;
        this.mixed = mixed;
    }

    @Override
    public String description() {
        if (!mixed) return "own PTX: fp32 SIMT (128x128 tiles)";
        return "own PTX: bf16 mma.sync tensor cores, fp32 accumulation (128x128 tiles, "
                + (bf16Operands ? "operands rounded to bf16 copies, cp.async pipeline)" : "fp32 operands rounded while staged)");
    }

    /** For tests: whether mixed-precision products may take the bf16-copy path. */
    void useBf16Operands(boolean on) {
        bf16Operands = on;
    }

    /** Shared memory of gemm_tc_*: stages · (128 + tileN) rows · (tileK + 8) bf16 · 2 bytes (gemm_common.cuh). */
    static int tensorCoreSharedBytes(int stages, int tileN, int tileK) {
        return stages * (128 + tileN) * (tileK + 8) * 2;
    }

    static String layout(boolean aKMajor, boolean bKMajor) {
        return (aKMajor ? "ak" : "am") + "_" + (bKMajor ? "bk" : "bn");
    }

    @Override
    public void gemm(DeviceBuffer c, DeviceBuffer a, DeviceBuffer b, DeviceBuffer bias, int m, int n, int k,
                     boolean aKMajor, boolean bKMajor, float alpha, float beta,
                     int batch, long strideA, long strideB, long strideC) {
        if (m == 0 || n == 0 || batch == 0) return;
        int lda = aKMajor ? k : m, ldb = bKMajor ? k : n;
        String layout = layout(aKMajor, bKMajor);
        if (!mixed) {
            launch("sgemm_" + layout, 0, c, a, b, bias, m, n, k, lda, ldb, alpha, beta, batch, strideA, strideB, strideC, 0, 0);
            return;
        }
        boolean aligned = lda % 8 == 0 && ldb % 8 == 0 && (batch == 1 || strideA % 8 == 0 && strideB % 8 == 0);
        if (bf16Operands && aligned) {
            long elementsA = (batch - 1L) * strideA + (long) m * k, elementsB = (batch - 1L) * strideB + (long) k * n;
            Tensor a16 = backend.scratch((elementsA + 1) / 2), b16 = backend.scratch((elementsB + 1) / 2);   // bf16 pairs
            convertToBf16(buffer(a16), a, elementsA);
            convertToBf16(buffer(b16), b, elementsB);
            launch("gemm_tc_bf16_" + layout + "_128", tensorCoreSharedBytes(4, 128, 32), c, buffer(a16), buffer(b16), bias,
                    m, n, k, lda, ldb, alpha, beta, batch, strideA, strideB, strideC, 0, 0);
            backend.release(a16);
            backend.release(b16);
            return;
        }
        int vecA = lda % 4 == 0 && strideA % 4 == 0 ? 1 : 0, vecB = ldb % 4 == 0 && strideB % 4 == 0 ? 1 : 0;
        launch("gemm_tc_f32_" + layout + "_128", tensorCoreSharedBytes(2, 128, 32), c, a, b, bias, m, n, k, lda, ldb, alpha,
                beta, batch, strideA, strideB, strideC, vecA, vecB);
    }

    /** One product on a 128×128-tile kernel, split over K (and reduced in order) when the grid is small. */
    private void launch(String kernel, int shared, DeviceBuffer c, DeviceBuffer a, DeviceBuffer b, DeviceBuffer bias,
                        int m, int n, int k, int lda, int ldb, float alpha, float beta, int batch,
                        long strideA, long strideB, long strideC, int vecA, int vecB) {
        int gx = ceil(n, TILE), gy = ceil(m, TILE);
        int splits = splitsFor((long) gx * gy * batch, batch, k);
        if (splits == 1) {
            kernels.launch(kernel, gx, gy, batch, 256, shared, c, a, b, bias, m, n, k, lda, ldb, n,
                    strideA, strideB, strideC, 0L, 1, k, alpha, beta, vecA, vecB, backend.errorWord());
            return;
        }
        int kChunk = ceil(ceil(k, splits), K_STEP) * K_STEP;
        splits = ceil(k, kChunk);
        long slice = (long) m * n;
        Tensor partial = backend.scratch(Math.multiplyExact(slice, splits));   // (splits, M, N)
        kernels.launch(kernel, gx, gy, splits, 256, shared, buffer(partial), a, b, null, m, n, k, lda, ldb, n,
                0L, 0L, 0L, slice, splits, kChunk, 1f, 0f, vecA, vecB, backend.errorWord());
        kernels.launch("gemm_splitk_reduce", kernels.gridFor(slice, 256), 1, 1, 256, 0,
                c, buffer(partial), bias, m, n, n, splits, alpha, beta);
        backend.release(partial);
    }

    /** Splits of K for a single product with `tiles` output tiles: about two waves of blocks. */
    private int splitsFor(long tiles, int batch, int k) {
        int sms = backend.device().multiprocessors;
        if (batch != 1 || tiles >= sms || k < 1024) return 1;
        return (int) Math.max(1, Math.min(Math.min(ceil(2L * sms, tiles), k / 256), 16));
    }

    /** The bf16-operand kernel variants (gemm_bf16.cu): name suffix, tile width, stage depth, stages. */
    public enum Bf16Variant {
        /** 128-wide tiles, 32-deep stages (the configuration the backend uses). */
        TILE128("_128", 128, 32, 4),
        TILE256("_256", 256, 32, 3),
        /** Candidates: interior blocks load without bounds arithmetic; also 64-deep stages. ak_* layouts only. */
        TILE128_FAST("_128_fast", 128, 32, 4),
        TILE128_K64("_128_k64", 128, 64, 3),
        TILE256_K64("_256_k64", 256, 64, 3);

        final String suffix;
        final int tileN, tileK, stages;

        Bf16Variant(String suffix, int tileN, int tileK, int stages) {
            this.suffix = suffix;
            this.tileN = tileN;
            this.tileK = tileK;
            this.stages = stages;
        }

        boolean candidate() {
            return suffix.contains("fast") || suffix.contains("k64");
        }
    }

    /**
     * C (M, N) = op(A) · op(B) on bf16 operands (uint16 storage) with the cp.async pipeline: the
     * peak-rate kernels, for benchmarks and tests. lda/ldb must be multiples of 8 elements.
     */
    public void gemmBf16(DeviceBuffer c, DeviceBuffer a, DeviceBuffer b, int m, int n, int k,
                         boolean aKMajor, boolean bKMajor, Bf16Variant v) {
        int lda = aKMajor ? k : m, ldb = bKMajor ? k : n;
        if (lda % 8 != 0 || ldb % 8 != 0) throw new IllegalArgumentException("bf16 GEMM needs leading dimensions divisible by 8");
        if (v.candidate() && !aKMajor) throw new IllegalArgumentException(v + " is built for k-major A only");
        kernels.launch("gemm_tc_bf16_" + layout(aKMajor, bKMajor) + v.suffix, ceil(n, v.tileN), ceil(m, TILE), 1, 256,
                tensorCoreSharedBytes(v.stages, v.tileN, v.tileK), c, a, b, null, m, n, k, lda, ldb, n, 0L, 0L, 0L, 0L,
                1, k, 1f, 0f, 0, 0, backend.errorWord());
    }

    /** out(n) = bf16(in(n)), round to nearest even; out holds n 16-bit values. */
    public void convertToBf16(DeviceBuffer out, DeviceBuffer in, long n) {
        kernels.launch("convert_f32_bf16", kernels.gridFor(n, 256), 1, 1, 256, 0, out, in, n);
    }

    private static DeviceBuffer buffer(Tensor t) {
        return (DeviceBuffer) t.storage();
    }

    static int ceil(long a, long b) {
        return Math.toIntExact((a + b - 1) / b);
    }
}
