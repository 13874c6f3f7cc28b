/*
 * The CUDA backend: tensors live in device memory (pooled by PooledBackend, so a training step
 * allocates nothing in steady state), every op is one or a few launches of our PTX kernels on one
 * stream, and the host waits only where it must (downloads, sums returned to the host).
 *
 * Precision: fp32 storage everywhere (weights, activations, gradients, optimizer state). With
 * BackendOptions.mixedPrecision the matrix products run on bf16 tensor cores with fp32 accumulation
 * (operands rounded into short-lived bf16 scratch copies, OwnGemm; wgmma on compute capability 9.0);
 * without it they are plain fp32 (parity tests). Attention runs in fp32 in both modes.
 *
 * Kernels cannot throw: bad indices (token ids, labels) are recorded in a device error word and
 * reported as IllegalArgumentException at the next synchronisation point (download, sumOfSquares,
 * synchronize).
 */
package dev.kanna.cuda;

import dev.kanna.backend.Activation;
import dev.kanna.backend.BackendOptions;
import dev.kanna.backend.PooledBackend;
import dev.kanna.tensor.DType;
import dev.kanna.tensor.Tensor;
import jcuda.CudaException;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUpointer_attribute;

import java.nio.ByteBuffer;
import java.util.List;

import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoDAsync;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoHAsync;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoDAsync;
import static jcuda.driver.JCudaDriver.cuMemsetD32Async;
import static jcuda.driver.JCudaDriver.cuPointerGetAttribute;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

public final class CudaBackend extends PooledBackend {

    // error codes of common.cuh
    private static final int ERR_TOKEN_ID = 1, ERR_TYPE_ID = 2, ERR_LABEL = 3, ERR_ROW_INDEX = 4, ERR_SMEM = 5;

    private final CudaDevice device;
    private final Kernels kernels;
    private final boolean mixed;
    private final PinnedStaging staging = new PinnedStaging();
    private final DeviceBuffer errorWord;
    private final OwnGemm ownGemm;
    private final MatMul matmul;
    private final String gemmNote;
    private boolean closed;

    public CudaBackend(BackendOptions options) {
        this.mixed = options.mixedPrecision();
        this.device = new CudaDevice();
        try {
            this.kernels = new Kernels(device);
            this.errorWord = (DeviceBuffer) allocateStorage(DType.I32, 4);
            cuMemsetD32Async(errorWord.pointer(), 0, 4, device.stream);
            if (Kernels.packedRequested()) usePackedLaunches();
            this.ownGemm = new OwnGemm(this, kernels, mixed);
            String choice = System.getProperty("kanna.cuda.gemm", "auto");
            MatMul chosen = ownGemm;
            String note = "";
            if (!choice.equals("own")) {
                try {
                    chosen = new CublasGemm(device, kernels, mixed);
                } catch (Throwable t) {
                    if (choice.equals("cublas")) throw new IllegalStateException("cuBLAS requested but unusable: " + cublasReason(t), t);
                    note = " (cuBLAS not used: " + cublasReason(t) + ")";
                }
            }
            this.matmul = chosen;
            this.gemmNote = note;
        } catch (RuntimeException e) {
            device.close();
            throw e;
        }
    }

    /**
     * Switches launches to packed arguments (Kernels) if they pass a known-answer check here —
     * pointers, a float and a long through add_f32 and scale_f32 — else keeps JCuda's marshalling.
     * Returns whether packed arguments are in use.
     */
    public boolean usePackedLaunches() {
        kernels.usePackedArguments(true);
        Tensor a = upload(new float[]{1.5f, -2f, 3.25f}, 3), b = upload(new float[]{0.5f, 4f, -1f}, 3);
        Tensor out = empty(DType.F32, 3);
        add(out, a, b);
        scale(out, 0.5f);
        float[] got = download(out);
        boolean ok = got[0] == 1f && got[1] == 1f && got[2] == 1.125f;
        if (!ok) kernels.usePackedArguments(false);
        launchNote = ok ? "; packed launch arguments" : "; packed launch arguments failed their check, JCuda marshalling used";
        release(a);
        release(b);
        release(out);
        return ok;
    }

    private String launchNote = "";

    private static String cublasReason(Throwable t) {
        String all = String.valueOf(t);
        for (Throwable c = t; c != null; c = c.getCause()) all += " " + c.getMessage();
        if (all.contains("libcublas")) return "libcublas.so.12 not found";
        return CudaDevice.oneLine(t);
    }

    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public String description() {
        return "cuda: " + device.summary() + "; " + (mixed ? "mixed precision (bf16 matmuls, fp32 weights)" : "fp32")
                + "; gemm: " + matmul.description() + gemmNote + launchNote;
    }

    CudaDevice device() {
        return device;
    }

    Kernels kernels() {
        return kernels;
    }

    /** Kernel launches since the backend opened (benchmarks). */
    public long launches() {
        return kernels.launches();
    }

    /** From now on, every launch is bracketed with device events (one profiled step; adds host cost). */
    public void startProfile() {
        kernels.startProfile();
    }

    /** Waits for the profiled work; GPU time per kernel name, largest first. */
    public List<Kernels.KernelTime> stopProfile() {
        return kernels.stopProfile();
    }

    /** Our own GEMM kernels, whichever product the backend uses (tests and benchmarks). */
    public OwnGemm ownGemm() {
        return ownGemm;
    }

    /** Loads (JIT-compiles) every kernel module now instead of on first use, e.g. before timing. */
    public void loadKernels() {
        kernels.loadAll();
    }

    DeviceBuffer errorWord() {
        return errorWord;
    }

    /** A scratch F32 tensor of n elements; release it when done (reuse is stream-ordered, so safe). */
    Tensor scratch(long n) {
        return empty(DType.F32, Math.toIntExact(Math.max(1, n)));
    }

    // ---------------------------------------------------------------- storage

    @Override
    protected Object allocateStorage(DType dtype, long size) {
        device.bind();
        long bytes = Math.multiplyExact(Math.max(1, size), (long) dtype.byteSize());
        CUdeviceptr p = new CUdeviceptr();
        try {
            cuMemAlloc(p, bytes);
        } catch (CudaException outOfMemory) {
            device.synchronize();
            trimPool();   // give pooled buffers back and try once more
            cuMemAlloc(p, bytes);
        }
        long[] address = {0};   // for packed launch arguments; 0 (unknown) makes a launch use JCuda's marshalling
        try {
            cuPointerGetAttribute(Pointer.to(address), CUpointer_attribute.CU_POINTER_ATTRIBUTE_DEVICE_POINTER, p);
        } catch (CudaException e) {
            address[0] = 0;
        }
        return new DeviceBuffer(p, bytes, address[0]);
    }

    @Override
    protected void zeroStorage(Object storage, DType dtype, long size) {
        device.bind();
        cuMemsetD32Async(((DeviceBuffer) storage).pointer(), 0, size, device.stream);
    }

    /** Up to half the device's memory may sit in the free lists (cuMemAlloc is slow; memory is plenty). */
    @Override
    protected long maxPooledBytes() {
        return device.totalMemory / 2;
    }

    @Override
    protected void freeStorage(Object storage) {
        device.bind();
        cuMemFree(((DeviceBuffer) storage).pointer());
    }

    static DeviceBuffer buf(Tensor t) {
        return t == null ? null : (DeviceBuffer) t.storage();
    }

    private static DeviceBuffer f32(Tensor t) {
        if (t.dtype() != DType.F32) throw new IllegalArgumentException("expected an F32 tensor, got " + t);
        return buf(t);
    }

    private static DeviceBuffer i32(Tensor t) {
        if (t.dtype() != DType.I32) throw new IllegalArgumentException("expected an I32 tensor, got " + t);
        return buf(t);
    }

    @Override
    public Tensor upload(float[] data, int... shape) {
        Tensor t = empty(DType.F32, shape);
        if (data.length != t.size()) throw new IllegalArgumentException("data length " + data.length + " ≠ " + t.size());
        device.bind();
        for (int from = 0; from < data.length; ) {
            int n = (int) Math.min(data.length - from, PinnedStaging.MAX_BYTES / 4);
            staging.buffer(4L * n).asFloatBuffer().put(data, from, n);
            cuMemcpyHtoDAsync(buf(t).pointer().withByteOffset(4L * from), staging.pointer(), 4L * n, device.stream);
            cuStreamSynchronize(device.stream);   // the staging buffer is reused by the next chunk
            from += n;
        }
        return t;
    }

    @Override
    public Tensor upload(int[] data, int... shape) {
        Tensor t = empty(DType.I32, shape);
        if (data.length != t.size()) throw new IllegalArgumentException("data length " + data.length + " ≠ " + t.size());
        device.bind();
        for (int from = 0; from < data.length; ) {
            int n = (int) Math.min(data.length - from, PinnedStaging.MAX_BYTES / 4);
            staging.buffer(4L * n).asIntBuffer().put(data, from, n);
            cuMemcpyHtoDAsync(buf(t).pointer().withByteOffset(4L * from), staging.pointer(), 4L * n, device.stream);
            cuStreamSynchronize(device.stream);
            from += n;
        }
        return t;
    }

    @Override
    public float[] download(Tensor t) {
        float[] out = new float[Math.toIntExact(t.size())];
        DeviceBuffer src = f32(t);
        device.bind();
        for (int from = 0; from < out.length; ) {
            int n = (int) Math.min(out.length - from, PinnedStaging.MAX_BYTES / 4);
            ByteBuffer view = staging.buffer(4L * n);
            cuMemcpyDtoHAsync(staging.pointer(), src.pointer().withByteOffset(4L * from), 4L * n, device.stream);
            cuStreamSynchronize(device.stream);
            view.asFloatBuffer().get(out, from, n);
            from += n;
        }
        checkErrors();
        return out;
    }

    @Override
    public int[] downloadInts(Tensor t) {
        int[] out = new int[Math.toIntExact(t.size())];
        DeviceBuffer src = i32(t);
        device.bind();
        for (int from = 0; from < out.length; ) {
            int n = (int) Math.min(out.length - from, PinnedStaging.MAX_BYTES / 4);
            ByteBuffer view = staging.buffer(4L * n);
            cuMemcpyDtoHAsync(staging.pointer(), src.pointer().withByteOffset(4L * from), 4L * n, device.stream);
            cuStreamSynchronize(device.stream);
            view.asIntBuffer().get(out, from, n);
            from += n;
        }
        checkErrors();
        return out;
    }

    @Override
    public void copy(Tensor dst, Tensor src) {
        if (dst.size() != src.size() || dst.dtype() != src.dtype()) {
            throw new IllegalArgumentException("copy " + src + " → " + dst);
        }
        device.bind();
        if (buf(dst) != buf(src)) {
            cuMemcpyDtoDAsync(buf(dst).pointer(), buf(src).pointer(), 4L * src.size(), device.stream);
        }
    }

    @Override
    public void synchronize() {
        device.synchronize();
        checkErrors();
    }

    /** Reads the device error word (after a stream synchronisation) and throws what a kernel recorded. */
    private void checkErrors() {
        int[] err = new int[3];
        cuMemcpyDtoH(Pointer.to(err), errorWord.pointer(), 12);
        if (err[0] == 0) return;
        cuMemsetD32Async(errorWord.pointer(), 0, 4, device.stream);
        cuStreamSynchronize(device.stream);
        throw new IllegalArgumentException(switch (err[0]) {
            case ERR_TOKEN_ID -> "token id " + err[1] + " outside vocabulary of " + err[2];
            case ERR_TYPE_ID -> "token type id " + err[1] + " outside " + err[2] + " types";
            case ERR_LABEL -> "label " + err[1] + " outside " + err[2] + " classes";
            case ERR_ROW_INDEX -> "row index " + err[1] + " outside " + err[2] + " rows";
            case ERR_SMEM -> "internal: a kernel was launched with " + err[1] + " bytes of shared memory, needs " + err[2];
            default -> "kernel error code " + err[0];
        });
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        device.synchronize();
        matmul.close();
        trimPool();
        freeStorage(errorWord);
        staging.close();
        kernels.close();
        device.close();
    }

    // ---------------------------------------------------------------- elementwise

    private void elementwise(String kernel, long n, Object... args) {
        if (n == 0) return;
        kernels.launch(kernel, kernels.gridFor(n, 256), 1, 1, 256, 0, args);
    }

    @Override
    public void fill(Tensor t, float value) {
        device.bind();
        cuMemsetD32Async(f32(t).pointer(), Float.floatToRawIntBits(value), t.size(), device.stream);
    }

    @Override
    public void add(Tensor out, Tensor a, Tensor b) {
        elementwise("add_f32", out.size(), f32(out), f32(a), f32(b), out.size());
    }

    @Override
    public void scale(Tensor t, float factor) {
        elementwise("scale_f32", t.size(), f32(t), factor, t.size());
    }

    @Override
    public double sumOfSquares(Tensor t) {
        return sumsOfSquares(List.of(t))[0];
    }

    /**
     * Every tensor's Σ x² with one host round trip: per-tensor block partials (sumsq_partial), one block
     * per tensor summing its partials in order (sum_partial_segments), one download of the results.
     */
    @Override
    public double[] sumsOfSquares(List<Tensor> tensors) {
        int n = tensors.size();
        if (n == 0) return new double[0];
        int[] offsets = new int[n + 1];   // partials of tensor i: [offsets[i], offsets[i + 1])
        for (int i = 0; i < n; i++) {
            int blocks = (int) Math.max(1, Math.min(1024, (tensors.get(i).size() + 2047) / 2048));
            offsets[i + 1] = offsets[i] + blocks;
        }
        Tensor partial = scratch(2L * offsets[n]), result = scratch(2L * n);   // doubles
        Tensor deviceOffsets = empty(DType.I32, n + 1);
        device.bind();
        // The offsets go up and the sums come back through the pinned buffer, which no other transfer
        // touches until this call's synchronisation: offsets at 0, sums from resultsAt.
        long resultsAt = (4L * (n + 1) + 7) / 8 * 8;
        ByteBuffer view = staging.buffer(resultsAt + 8L * n);
        view.asIntBuffer().put(offsets);
        cuMemcpyHtoDAsync(buf(deviceOffsets).pointer(), staging.pointer(), 4L * (n + 1), device.stream);
        for (int i = 0; i < n; i++) {
            Tensor t = tensors.get(i);
            kernels.launch("sumsq_partial", offsets[i + 1] - offsets[i], 1, 1, 256, 0, buf(partial), offsets[i], f32(t),
                    t.size());
        }
        kernels.launch("sum_partial_segments", n, 1, 1, 256, 0, buf(result), buf(partial), buf(deviceOffsets));
        cuMemcpyDtoHAsync(staging.pointer().withByteOffset(resultsAt), buf(result).pointer(), 8L * n, device.stream);
        cuStreamSynchronize(device.stream);
        double[] sums = new double[n];
        view.position((int) resultsAt);
        view.slice().order(java.nio.ByteOrder.nativeOrder()).asDoubleBuffer().get(sums);
        release(partial);
        release(result);
        release(deviceOffsets);
        checkErrors();
        return sums;
    }

    /** out(cols) += Σ_rows x(rows, cols), two-stage and reproducible (elementwise.cu). */
    private void columnSums(DeviceBuffer out, DeviceBuffer x, int rows, int cols) {
        int rowsPerChunk = 128, chunks = Math.max(1, OwnGemm.ceil(rows, rowsPerChunk));
        Tensor partial = scratch((long) chunks * cols);   // (chunks, cols)
        kernels.launch2d("colsum_partial", OwnGemm.ceil(cols, 32), chunks, 32, 8, buf(partial), x, rows, cols, rowsPerChunk);
        kernels.launch("colsum_finish", OwnGemm.ceil(cols, 256), 1, 1, 256, 0, out, buf(partial), chunks, cols);
        release(partial);
    }

    // ---------------------------------------------------------------- dense layers

    @Override
    public void linear(Tensor out, Tensor in, Tensor weight, Tensor bias) {
        int n = in.rows(), k = in.dim(-1), o = weight.dim(0);
        matmul.gemm(f32(out), f32(in), f32(weight), bias == null ? null : f32(bias), n, o, k,
                true, true, 1f, 0f, 1, 0, 0, 0);
    }

    @Override
    public void linearBackward(Tensor dIn, Tensor dWeight, Tensor dBias, Tensor dOut, Tensor in, Tensor weight) {
        int n = dOut.rows(), o = dOut.dim(-1), k = in.dim(-1);
        // dIn(N, K) += dOut(N, O) · W(O, K): A k-major, B stored (k=O, n=K)
        if (dIn != null) matmul.gemm(f32(dIn), f32(dOut), f32(weight), null, n, k, o, true, false, 1f, 1f, 1, 0, 0, 0);
        // dW(O, K) += dOut(N, O)ᵀ · in(N, K): A stored (k=N, m=O), B stored (k=N, n=K)
        if (dWeight != null) matmul.gemm(f32(dWeight), f32(dOut), f32(in), null, o, k, n, false, false, 1f, 1f, 1, 0, 0, 0);
        if (dBias != null) columnSums(f32(dBias), f32(dOut), n, o);
    }

    /**
     * C = alpha · op(A) · op(B) + beta · C (+ bias) on the backend's GEMM, `batch` products of
     * contiguous (M, K)/(K, N)/(M, N) matrices: for tests and for models that need a plain product.
     */
    public void matmul(Tensor c, Tensor a, Tensor b, Tensor bias, int m, int n, int k, boolean aKMajor,
                       boolean bKMajor, float alpha, float beta, int batch) {
        matmul.gemm(f32(c), f32(a), f32(b), bias == null ? null : f32(bias), m, n, k, aKMajor, bKMajor, alpha, beta,
                batch, (long) m * k, (long) k * n, (long) m * n);
    }

    // ---------------------------------------------------------------- activations

    @Override
    public void activation(Tensor out, Tensor in, Activation act) {
        elementwise("act_fwd", in.size(), f32(out), f32(in), act.ordinal(), in.size());
    }

    @Override
    public void activationBackward(Tensor dIn, Tensor dOut, Tensor in, Activation act) {
        elementwise("act_bwd", in.size(), f32(dIn), f32(dOut), f32(in), act.ordinal(), in.size());
    }

    @Override
    public void dropout(Tensor out, Tensor in, float p, long seed) {
        if (p == 0f) {
            copy(out, in);
            return;
        }
        elementwise("dropout_fwd", in.size(), f32(out), f32(in), p, seed, in.size());
    }

    @Override
    public void dropoutBackward(Tensor dIn, Tensor dOut, float p, long seed) {
        elementwise("dropout_bwd", dOut.size(), f32(dIn), f32(dOut), p, seed, dOut.size());
    }

    // ---------------------------------------------------------------- normalisation

    @Override
    public void layerNorm(Tensor out, Tensor mean, Tensor rstd, Tensor in, Tensor weight, Tensor bias, float eps) {
        int rows = in.rows(), cols = in.dim(-1);
        kernels.launch("layernorm_fwd", OwnGemm.ceil(rows, 8), 1, 1, 256, 0, f32(out), mean == null ? null : f32(mean),
                rstd == null ? null : f32(rstd), f32(in), f32(weight), f32(bias), rows, cols, eps);
    }

    @Override
    public void layerNormBackward(Tensor dIn, Tensor dWeight, Tensor dBias, Tensor dOut,
                                  Tensor in, Tensor weight, Tensor mean, Tensor rstd) {
        int rows = in.rows(), cols = in.dim(-1);
        if (dIn != null) {
            kernels.launch("layernorm_bwd_input", OwnGemm.ceil(rows, 8), 1, 1, 256, 0, f32(dIn), f32(dOut), f32(in),
                    f32(weight), f32(mean), f32(rstd), rows, cols);
        }
        if (dWeight == null && dBias == null) return;
        int rowsPerChunk = 128, chunks = Math.max(1, OwnGemm.ceil(rows, rowsPerChunk));
        Tensor partialW = dWeight == null ? null : scratch((long) chunks * cols);   // (chunks, C)
        Tensor partialB = dBias == null ? null : scratch((long) chunks * cols);
        kernels.launch2d("layernorm_bwd_params_partial", OwnGemm.ceil(cols, 32), chunks, 32, 8, buf(partialW),
                buf(partialB), f32(dOut), f32(in), f32(mean), f32(rstd), rows, cols, rowsPerChunk);
        int grid = OwnGemm.ceil(cols, 256);
        if (dWeight != null) {
            kernels.launch("colsum_finish", grid, 1, 1, 256, 0, f32(dWeight), buf(partialW), chunks, cols);
            release(partialW);
        }
        if (dBias != null) {
            kernels.launch("colsum_finish", grid, 1, 1, 256, 0, f32(dBias), buf(partialB), chunks, cols);
            release(partialB);
        }
    }

    // ---------------------------------------------------------------- embeddings and gathers

    @Override
    public void embedding(Tensor out, Tensor ids, Tensor typeIds, Tensor word, Tensor position, Tensor tokenType) {
        int b = ids.dim(0), t = ids.dim(1), c = word.dim(1);
        if (position.dim(0) < t) {
            throw new IllegalArgumentException("sequence length " + t + " exceeds " + position.dim(0) + " positions");
        }
        if (b * t == 0) return;
        kernels.launch("embedding_fwd", b * t, 1, 1, 256, 0, f32(out), i32(ids), i32(typeIds), f32(word), f32(position),
                f32(tokenType), b * t, t, c, word.dim(0), tokenType.dim(0), errorWord);
    }

    @Override
    public void embeddingBackward(Tensor dWord, Tensor dPosition, Tensor dTokenType, Tensor dOut,
                                  Tensor ids, Tensor typeIds) {
        int b = ids.dim(0), t = ids.dim(1), c = dOut.dim(-1), rows = b * t;
        if (dPosition != null) {
            elementwise("embedding_bwd_position", (long) t * c, f32(dPosition), f32(dOut), b, t, c);
        }
        if (dWord != null) scatterAdd(dWord, dOut, ids, rows, c, ERR_TOKEN_ID);
        if (dTokenType != null) scatterAdd(dTokenType, dOut, typeIds, rows, c, ERR_TYPE_ID);
    }

    /** dst(idx[r], ·) += src(r, ·) for r < rows, deterministic (embedding.cu). */
    private void scatterAdd(Tensor dst, Tensor src, Tensor idx, int rows, int c, int errCode) {
        if (rows == 0) return;
        Tensor partial = scratch((long) rows * c);   // (rows, C), rows owning a chunk's index value
        kernels.launch("scatter_add_partial", rows, 1, 1, 256, 0, buf(partial), f32(src), i32(idx), rows, c,
                dst.rows(), errCode, errorWord);
        kernels.launch("scatter_add_finish", rows, 1, 1, 256, 0, f32(dst), buf(partial), i32(idx), rows, c, dst.rows());
        release(partial);
    }

    @Override
    public void gatherRows(Tensor out, Tensor in, Tensor rows) {
        int m = Math.toIntExact(rows.size()), c = in.dim(-1);
        if (m == 0) return;
        kernels.launch("gather_rows", m, 1, 1, 256, 0, f32(out), f32(in), i32(rows), m, c, in.rows(), errorWord);
    }

    @Override
    public void scatterAddRows(Tensor dIn, Tensor dOut, Tensor rows) {
        scatterAdd(dIn, dOut, rows, Math.toIntExact(rows.size()), dIn.dim(-1), ERR_ROW_INDEX);
    }

    // ---------------------------------------------------------------- attention

    @Override
    public Tensor attention(Tensor out, Tensor qkv, Tensor maskBias, int heads, float dropoutP, long dropoutSeed,
                            boolean save) {
        AttentionShape s = AttentionShape.of(qkv, heads);
        // saved: lse (B, H, T) then a copy of out (B, T, C), for the backward's D_i = dO_i · O_i
        Tensor saved = save ? empty(DType.F32, Math.toIntExact(s.lseSize() + (long) s.b() * s.t() * s.c())) : null;
        kernels.launch("attn_fwd_d" + s.d(), OwnGemm.ceil(s.t(), 64), s.b() * heads, 1, 256, AttentionShape.fwdSharedBytes(s.d()),
                f32(out), buf(saved), s.lseSize(), f32(qkv), f32(maskBias), s.t(), heads, s.hs(), s.scale(), dropoutP,
                dropoutSeed, errorWord);
        return saved;
    }

    @Override
    public void attentionBackward(Tensor dQkv, Tensor dOut, Tensor qkv, Tensor maskBias, Tensor saved, int heads,
                                  float dropoutP, long dropoutSeed) {
        AttentionShape s = AttentionShape.of(qkv, heads);
        Tensor delta = scratch(s.lseSize());   // (B, H, T)
        kernels.launch("attn_bwd_prep", OwnGemm.ceil(s.lseSize(), 8), 1, 1, 256, 0, buf(delta), f32(dOut), f32(saved),
                s.lseSize(), s.b(), s.t(), heads, s.hs());
        int grid = OwnGemm.ceil(s.t(), 64);
        kernels.launch("attn_bwd_dq_d" + s.d(), grid, s.b() * heads, 1, 256, AttentionShape.dqSharedBytes(s.d()),
                f32(dQkv), f32(dOut), f32(qkv), f32(maskBias), f32(saved), buf(delta), s.t(), heads, s.hs(), s.scale(),
                dropoutP, dropoutSeed, errorWord);
        kernels.launch("attn_bwd_dkv_d" + s.d(), grid, s.b() * heads, 1, 256, AttentionShape.dkvSharedBytes(s.d()),
                f32(dQkv), f32(dOut), f32(qkv), f32(maskBias), f32(saved), buf(delta), s.t(), heads, s.hs(), s.scale(),
                dropoutP, dropoutSeed, errorWord);
        release(delta);
    }

    // ---------------------------------------------------------------- losses and outputs

    @Override
    public void softmax(Tensor out, Tensor in) {
        int rows = in.rows(), k = in.dim(-1);
        if (rows == 0) return;
        kernels.launch("softmax_fwd", OwnGemm.ceil(rows, 8), 1, 1, 256, 0, f32(out), f32(in), rows, k);
    }

    @Override
    public void crossEntropy(Tensor losses, Tensor dLogits, Tensor logits, Tensor labels, Tensor classWeights,
                             float labelSmoothing, float gradScale) {
        int rows = logits.rows(), k = logits.dim(-1);
        if (rows == 0) return;
        kernels.launch("cross_entropy", OwnGemm.ceil(rows, 8), 1, 1, 256, 0, f32(losses),
                dLogits == null ? null : f32(dLogits), f32(logits), i32(labels),
                classWeights == null ? null : f32(classWeights), rows, k, labelSmoothing, gradScale, errorWord);
    }

    // ---------------------------------------------------------------- optimizer

    @Override
    public void adamw(Tensor param, Tensor grad, Tensor m, Tensor v, double lr, double beta1, double beta2, double eps,
                      double weightDecay, long step) {
        // the CPU backend's AdamW.java scalars, computed in double and rounded to float the same way
        float decay = (float) (1 - lr * weightDecay);
        float w1 = (float) (1 - beta1), b2 = (float) beta2, w2 = (float) (1 - beta2);
        float stepSize = (float) (lr / (1 - Math.pow(beta1, step)));
        float bc2Sqrt = (float) Math.sqrt(1 - Math.pow(beta2, step));
        elementwise("adamw_step", param.size(), f32(param), f32(grad), f32(m), f32(v), param.size(), decay, w1, b2, w2,
                stepSize, bc2Sqrt, (float) eps, weightDecay != 0 ? 1 : 0);
    }
}
