/*
 * Matrix products on our own PTX kernels (gemm.cu, gemm_bf16.cu, gemm_sm90.cu). Mixed precision:
 * bf16 tensor cores with fp32 accumulation, the fp32 operands first rounded into bf16 scratch copies
 * (one memory-bound pass each, a few µs at BERT sizes).
 *  - Compute capability 9.0 (H100/H200): the wgmma kernels (warpgroup MMA, sm_90a). They take both
 *    operands k-major with rows padded to 8 elements, so the copies transpose where a layout is
 *    m- or n-major (the Linear backward's). Used only after an on-device self-check against a
 *    double-precision oracle passes when the backend opens; otherwise (or with -Dkanna.cuda.wgmma=off)
 *    the mma.sync kernels below run, and description() says why.
 *  - Elsewhere: the cp.async mma.sync kernels on the copies (218 TFLOP/s on an H200 at 4096³); where
 *    a leading dimension is not a multiple of 8 (16-byte rows), the fp32-operand kernels round while
 *    staging instead (123 TFLOP/s).
 * fp32 mode: the SIMT fp32 kernels. When a product has too few output tiles to fill the GPU (a weight
 * gradient: 768 × 768 outputs over 4096 rows), K is split over more blocks and the slices are summed
 * in a fixed order by a second kernel, so results stay bitwise reproducible.
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

    /** Whether the wgmma kernels passed their self-check here (mixed precision on compute capability 9.0). */
    private final boolean wgmmaUsable;
    /** Why wgmma is or is not used, for description(). */
    private final String wgmmaNote;
    /** Mixed precision: wgmma where usable (tests switch it off to reach the mma.sync kernels). */
    private boolean useWgmma;

    OwnGemm(CudaBackend backend, Kernels kernels, boolean mixed) {
        this.backend = backend;
        this.kernels = kernels;
        this.mixed = mixed;
        String reason = null;
        if (!mixed) reason = "fp32 mode";
        else if (!kernels.hopper()) reason = "needs compute capability 9.0";
        else if ("off".equals(System.getProperty("kanna.cuda.wgmma"))) reason = "off by -Dkanna.cuda.wgmma=off";
        if (reason == null) {
            String failure = WgmmaSelfCheck.run(backend, this);
            this.wgmmaUsable = failure == null;
            this.wgmmaNote = failure == null ? "self-check passed" : "self-check failed: " + failure;
        } else {
            this.wgmmaUsable = false;
            this.wgmmaNote = reason;
        }
        this.useWgmma = wgmmaUsable;
    }

    @Override
    public String description() {
        if (!mixed) return "own PTX: fp32 SIMT (128x128 tiles)";
        if (useWgmma) {
            return "own PTX: bf16 wgmma (sm_90a) tensor cores, fp32 accumulation (128x256 / 128x128 tiles, operands "
                    + "rounded to k-major bf16 copies, cp.async into 128B-swizzled stages; " + wgmmaNote + ")";
        }
        return "own PTX: bf16 mma.sync tensor cores, fp32 accumulation (128x128 tiles, "
                + (bf16Operands ? "operands rounded to bf16 copies, cp.async pipeline" : "fp32 operands rounded while staged")
                + "; wgmma not used: " + wgmmaNote + ")";
    }

    /** Whether mixed-precision products run on the wgmma kernels. */
    public boolean wgmma() {
        return useWgmma;
    }

    /** For tests: whether mixed-precision products may take the bf16-copy path. */
    void useBf16Operands(boolean on) {
        bf16Operands = on;
    }

    /** For tests: whether mixed-precision products may take the wgmma path (where it passed its self-check). */
    void useWgmma(boolean on) {
        useWgmma = on && wgmmaUsable;
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
        if (useWgmma && bf16Operands && batch == 1) {
            wgmmaProduct(c, a, b, bias, m, n, k, lda, ldb, aKMajor, bKMajor, alpha, beta);
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

    // ---------------------------------------------------------------- wgmma (compute capability 9.0)

    /** The wgmma kernels (gemm_sm90.cu): tile width, stages, blocks per SM; shared bytes = stages · (128 + BN) · 128 + 1024. */
    public enum WgVariant {
        TILE256("gemm_wg_tn_256", 256, 4, 1),
        TILE128("gemm_wg_tn_128", 128, 3, 2);

        final String kernel;
        final int tileN, stages, perSm;

        WgVariant(String kernel, int tileN, int stages, int perSm) {
            this.kernel = kernel;
            this.tileN = tileN;
            this.stages = stages;
            this.perSm = perSm;
        }

        int sharedBytes() {
            return stages * (128 + tileN) * 128 + 1024;
        }
    }

    /** Elements per padded k-major bf16 row: the wgmma kernels copy 16-byte chunks. */
    static int paddedK(int k) {
        return ceil(k, 8) * 8;
    }

    /**
     * C = alpha · op(A) · op(B) + beta · C + bias on the wgmma kernels: both operands are first
     * rounded into k-major bf16 copies (transposed where stored m- or n-major), rows padded to 8.
     */
    private void wgmmaProduct(DeviceBuffer c, DeviceBuffer a, DeviceBuffer b, DeviceBuffer bias, int m, int n, int k,
                              int lda, int ldb, boolean aKMajor, boolean bKMajor, float alpha, float beta) {
        int ldk = paddedK(k);
        Tensor a16 = backend.scratch(((long) m * ldk + 1) / 2), b16 = backend.scratch(((long) n * ldk + 1) / 2);   // bf16 pairs
        if (aKMajor) convertRows(buffer(a16), a, m, k, lda, ldk);
        else transposeToBf16(buffer(a16), a, k, m, lda, ldk);
        if (bKMajor) convertRows(buffer(b16), b, n, k, ldb, ldk);
        else transposeToBf16(buffer(b16), b, k, n, ldb, ldk);
        gemmWg(c, buffer(a16), buffer(b16), bias, m, n, k, ldk, alpha, beta, chooseWg(m, n), true);
        backend.release(a16);
        backend.release(b16);
    }

    /**
     * The tile width for an M × N output: fewer waves of blocks wins (a wave: every SM's block slots
     * busy once), the 256-wide tile on a tie (more reuse per loaded byte).
     */
    WgVariant chooseWg(int m, int n) {
        int sms = backend.device().multiprocessors;
        long waves256 = ceil((long) ceil(n, 256) * ceil(m, TILE), sms);
        long waves128 = ceil((long) ceil(n, 128) * ceil(m, TILE), 2L * sms);
        return waves256 <= waves128 ? WgVariant.TILE256 : WgVariant.TILE128;
    }

    /**
     * C (M, N) = alpha · A · Bᵀ + beta · C + bias on bf16 operands A (M, K) and B (N, K), both k-major
     * with row stride ldk (a multiple of 8). splitK: split K over more blocks (reduced in order)
     * when the output has too few tiles to fill the GPU.
     */
    public void gemmWg(DeviceBuffer c, DeviceBuffer a16, DeviceBuffer b16, DeviceBuffer bias, int m, int n, int k, int ldk,
                       float alpha, float beta, WgVariant v, boolean splitK) {
        if (ldk % 8 != 0 || ldk < k) throw new IllegalArgumentException("wgmma operands need rows of a multiple of 8 ≥ K, got " + ldk);
        int gx = ceil(n, v.tileN), gy = ceil(m, TILE);
        long tiles = (long) gx * gy, slots = (long) backend.device().multiprocessors * v.perSm;
        int splits = splitK && tiles < slots && k >= 1024 ? (int) Math.min(Math.min(ceil(2 * slots, tiles), k / 256), 16) : 1;
        int kChunk = ceil(ceil(k, splits), 64) * 64;   // whole 64-deep stages per slice
        splits = ceil(k, kChunk);
        if (splits == 1) {
            kernels.launch(v.kernel, gx, gy, 1, 256, v.sharedBytes(), c, a16, b16, bias, m, n, k, ldk, ldk, n,
                    0L, 0L, 0L, 0L, 1, k, alpha, beta, 0, 0, backend.errorWord());
            return;
        }
        long slice = (long) m * n;
        Tensor partial = backend.scratch(Math.multiplyExact(slice, splits));   // (splits, M, N)
        kernels.launch(v.kernel, gx, gy, splits, 256, v.sharedBytes(), buffer(partial), a16, b16, null, m, n, k, ldk, ldk, n,
                0L, 0L, 0L, slice, splits, kChunk, 1f, 0f, 0, 0, backend.errorWord());
        kernels.launch("gemm_splitk_reduce", kernels.gridFor(slice, 256), 1, 1, 256, 0,
                c, buffer(partial), bias, m, n, n, splits, alpha, beta);
        backend.release(partial);
    }

    /** out (rows, ldOut) bf16 = in (rows, cols) fp32 with row stride ldIn, columns past cols zero. */
    public void convertRows(DeviceBuffer out, DeviceBuffer in, int rows, int cols, int ldIn, int ldOut) {
        if (rows == 0) return;
        kernels.launch("convert_rows_f32_bf16", kernels.gridFor((long) rows * (ldOut / 4), 256), 1, 1, 256, 0,
                out, in, rows, cols, ldIn, ldOut);
    }

    /** out (cols, ldOut) bf16 = in (rows, cols)ᵀ fp32 with row stride ldIn, columns past rows zero. */
    public void transposeToBf16(DeviceBuffer out, DeviceBuffer in, int rows, int cols, int ldIn, int ldOut) {
        if (cols == 0) return;
        kernels.launch2d("transpose_f32_bf16", ceil(cols, 32), ceil(ldOut, 32), 32, 8, out, in, rows, cols, ldIn, ldOut);
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
