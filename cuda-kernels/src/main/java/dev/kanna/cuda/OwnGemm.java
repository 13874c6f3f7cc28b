/*
 * Matrix products on our own PTX kernels (gemm.cu). Mixed precision: bf16 tensor cores with fp32
 * accumulation, the fp32 operands rounded to bf16 as they are staged into shared memory. fp32 mode:
 * the SIMT fp32 kernels. When a product has too few output tiles to fill the GPU (a weight gradient:
 * 768 × 768 outputs over 4096 rows), K is split over more blocks and the slices are summed in a
 * fixed order by a second kernel, so results stay bitwise reproducible.
 */
package dev.kanna.cuda;

import dev.kanna.tensor.Tensor;

public final class OwnGemm implements MatMul {

    private static final int TILE = 128;     // output tile of every kernel used here (128 × 128)
    private static final int K_STEP = 32;    // K slices are multiples of this (the tensor-core k tile)

    private final CudaBackend backend;
    private final Kernels kernels;
    private final boolean mixed;

    OwnGemm(CudaBackend backend, Kernels kernels, boolean mixed) {
        this.backend = backend;
        this.kernels = kernels;
        this.mixed = mixed;
    }

    @Override
    public String description() {
        return mixed ? "own PTX: bf16 mma.sync tensor cores, fp32 accumulation (128x128 tiles)"
                : "own PTX: fp32 SIMT (128x128 tiles)";
    }

    /** Shared memory of gemm_tc_*: stages · (128 + tileN) rows · 40 bf16 · 2 bytes (gemm.cu). */
    static int tensorCoreSharedBytes(int stages, int tileN) {
        return stages * (128 + tileN) * 40 * 2;
    }

    static String layout(boolean aKMajor, boolean bKMajor) {
        return (aKMajor ? "ak" : "am") + "_" + (bKMajor ? "bk" : "bn");
    }

    @Override
    public void gemm(DeviceBuffer c, DeviceBuffer a, DeviceBuffer b, DeviceBuffer bias, int m, int n, int k,
                     boolean aKMajor, boolean bKMajor, float alpha, float beta,
                     int batch, long strideA, long strideB, long strideC) {
        if (m == 0 || n == 0 || batch == 0) return;
        String kernel = mixed ? "gemm_tc_f32_" + layout(aKMajor, bKMajor) + "_128" : "sgemm_" + layout(aKMajor, bKMajor);
        int shared = mixed ? tensorCoreSharedBytes(2, 128) : 0;
        int lda = aKMajor ? k : m, ldb = bKMajor ? k : n;
        int vecA = lda % 4 == 0 && strideA % 4 == 0 ? 1 : 0, vecB = ldb % 4 == 0 && strideB % 4 == 0 ? 1 : 0;
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

    /**
     * A product on bf16 operands (uint16 storage) with the cp.async pipeline: the peak-rate kernels,
     * for benchmarks. lda/ldb and strides must be multiples of 8 elements. tileN: 128 or 256.
     */
    public void gemmBf16(DeviceBuffer c, DeviceBuffer a, DeviceBuffer b, int m, int n, int k,
                         boolean aKMajor, boolean bKMajor, int tileN) {
        int lda = aKMajor ? k : m, ldb = bKMajor ? k : n;
        if (lda % 8 != 0 || ldb % 8 != 0) throw new IllegalArgumentException("bf16 GEMM needs leading dimensions divisible by 8");
        if (tileN != 128 && tileN != 256) throw new IllegalArgumentException("tileN must be 128 or 256");
        int stages = tileN == 128 ? 4 : 3;
        kernels.launch("gemm_tc_bf16_" + layout(aKMajor, bKMajor) + "_" + tileN, ceil(n, tileN), ceil(m, TILE), 1, 256,
                tensorCoreSharedBytes(stages, tileN), c, a, b, null, m, n, k, lda, ldb, n, 0L, 0L, 0L, 0L, 1, k,
                1f, 0f, 0, 0, backend.errorWord());
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
