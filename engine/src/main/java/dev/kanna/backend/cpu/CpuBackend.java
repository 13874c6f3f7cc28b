/*
 * The CPU backend: float[] storage, Vector API kernels, one fixed thread pool. Each op splits its
 * work over independent output rows, columns, tiles or (batch, head) pairs, so no two threads write
 * the same element and the result does not depend on scheduling (bitwise the same for a thread
 * count; the GEMM's results are the same for any thread count). The kernels live one per file:
 * Gemm/GemmKernels, Attention, Softmax, CrossEntropy, LayerNorm, Activations (with VectorMath's exp,
 * erf, tanh), Elementwise and DropoutMask, AdamW. It also implements the fused ops linearActivation
 * (activation in the GEMM's epilogue) and addLayerNorm (the residual summed row by row in L1).
 */
package dev.kanna.backend.cpu;

import dev.kanna.backend.Activation;
import dev.kanna.backend.PooledBackend;
import dev.kanna.tensor.DType;
import dev.kanna.tensor.Tensor;

import java.util.Arrays;

public final class CpuBackend extends PooledBackend {

    private final ThreadPool pool;
    /** The most bytes prepared (packed) weights may hold at once; beyond it weights stay unpacked. */
    private final long preparedBudget;
    private long preparedBytes;     // guarded by this

    public CpuBackend() {
        this(Runtime.getRuntime().availableProcessors());
    }

    /** With prepared weights limited to an eighth of the Java heap. */
    public CpuBackend(int threads) {
        this(threads, Runtime.getRuntime().maxMemory() / 8);
    }

    CpuBackend(int threads, long preparedBudget) {
        this.pool = new ThreadPool(threads);
        this.preparedBudget = preparedBudget;
    }

    public int threads() {
        return pool.threads();
    }

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public String description() {
        return "cpu: " + pool.threads() + " threads, " + VectorOps.F.vectorBitSize() + "-bit vectors";
    }

    @Override
    public void close() {
        pool.close();
    }

    // ---------------------------------------------------------------- storage

    @Override
    protected Object allocateStorage(DType dtype, long capacity) {
        int n = Math.toIntExact(capacity);
        return dtype == DType.F32 ? new float[n] : new int[n];
    }

    @Override
    protected void zeroStorage(Object storage, DType dtype, long size) {
        if (storage instanceof float[] f) Arrays.fill(f, 0, Math.toIntExact(size), 0f);
        else Arrays.fill((int[]) storage, 0, Math.toIntExact(size), 0);
    }

    @Override
    protected void freeStorage(Object storage) {
        // the garbage collector takes it
    }

    /** A quarter of the heap may sit in the free lists; the rest stays for live tensors and caches. */
    @Override
    protected long maxPooledBytes() {
        return Runtime.getRuntime().maxMemory() / 4;
    }

    static float[] f(Tensor t) {
        if (t.dtype() != DType.F32) throw new IllegalArgumentException("expected an F32 tensor, got " + t);
        if (!(t.storage() instanceof float[] data)) {
            throw new IllegalArgumentException(t + " is a prepared weight: only linear and linearActivation read it");
        }
        return data;
    }

    static int[] i(Tensor t) {
        if (t.dtype() != DType.I32) throw new IllegalArgumentException("expected an I32 tensor, got " + t);
        return (int[]) t.storage();
    }

    @Override
    public Tensor upload(float[] data, int... shape) {
        Tensor t = empty(DType.F32, shape);
        if (data.length != t.size()) throw new IllegalArgumentException("data length " + data.length + " ≠ " + t.size());
        System.arraycopy(data, 0, f(t), 0, data.length);
        return t;
    }

    @Override
    public Tensor upload(int[] data, int... shape) {
        Tensor t = empty(DType.I32, shape);
        if (data.length != t.size()) throw new IllegalArgumentException("data length " + data.length + " ≠ " + t.size());
        System.arraycopy(data, 0, i(t), 0, data.length);
        return t;
    }

    @Override
    public float[] download(Tensor t) {
        return Arrays.copyOf(f(t), (int) t.size());
    }

    @Override
    public int[] downloadInts(Tensor t) {
        return Arrays.copyOf(i(t), (int) t.size());
    }

    @Override
    public void copy(Tensor dst, Tensor src) {
        if (dst.size() != src.size() || dst.dtype() != src.dtype()) {
            throw new IllegalArgumentException("copy " + src + " → " + dst);
        }
        System.arraycopy(src.storage(), 0, dst.storage(), 0, (int) src.size());
    }

    // ---------------------------------------------------------------- elementwise

    @Override
    public void fill(Tensor t, float value) {
        Arrays.fill(f(t), 0, (int) t.size(), value);
    }

    @Override
    public void add(Tensor out, Tensor a, Tensor b) {
        Elementwise.add(pool, f(out), f(a), f(b), (int) out.size());
    }

    @Override
    public void scale(Tensor t, float factor) {
        Elementwise.scale(pool, f(t), (int) t.size(), factor);
    }

    @Override
    public double sumOfSquares(Tensor t) {
        return Elementwise.sumOfSquares(f(t), (int) t.size());
    }

    // ---------------------------------------------------------------- dense layers

    /**
     * Packs the weight once, unless the packed copies (each about the weight's size) would pass the
     * budget: then the weight itself, packed per product as before. The budget keeps a large model
     * with many frozen layers (bert-large: ~50 MB per layer) from doubling its footprint.
     */
    @Override
    public Tensor prepareWeight(Tensor weight) {
        if (weight.rank() != 2) throw new IllegalArgumentException("a weight is (out, in), got " + weight);
        if (weight.storage() instanceof Gemm.PackedB) return weight;
        long bytes = 4L * Gemm.packedWeightSize(weight.dim(0), weight.dim(1));
        synchronized (this) {
            if (preparedBytes + bytes > preparedBudget) return weight;
            preparedBytes += bytes;
        }
        Gemm.PackedB packed = Gemm.packWeight(pool, f(weight), weight.dim(0), weight.dim(1));
        // Not pooled storage (ownsStorage false): release (below) only returns its bytes to the budget.
        return new Tensor(this, DType.F32, weight.shape(), packed, false);
    }

    /** Bytes held by prepared weights not yet released. */
    synchronized long preparedBytes() {
        return preparedBytes;
    }

    @Override
    public void release(Tensor t) {
        if (!t.isReleased() && t.storage() instanceof Gemm.PackedB packed) {
            t.markReleased();
            synchronized (this) {
                preparedBytes -= 4L * packed.data().length;
            }
            return;
        }
        super.release(t);
    }

    @Override
    public void linear(Tensor out, Tensor in, Tensor weight, Tensor bias) {
        dense(out, out, in, weight, bias, null);
    }

    /** pre = in·weightᵀ + bias, then out = act(pre) when act is given; the weight plain or prepared. */
    private void dense(Tensor out, Tensor pre, Tensor in, Tensor weight, Tensor bias, Activation act) {
        int n = in.rows(), k = in.dim(-1), o = weight.dim(0);
        float[] b = bias == null ? null : f(bias);
        if (weight.storage() instanceof Gemm.PackedB packed) {
            Gemm.linearActivation(pool, f(out), f(pre), f(in), packed, b, n, k, o, act);
        } else {
            Gemm.linearActivation(pool, f(out), f(pre), f(in), f(weight), b, n, k, o, act);
        }
    }

    @Override
    public void linearBackward(Tensor dIn, Tensor dWeight, Tensor dBias, Tensor dOut, Tensor in, Tensor weight) {
        int n = dOut.rows(), o = dOut.dim(-1), k = in.dim(-1);
        if (dIn != null) Gemm.linearBackwardInput(pool, f(dIn), f(dOut), f(weight), n, k, o);
        if (dWeight != null) Gemm.linearBackwardWeight(pool, f(dWeight), f(dOut), f(in), n, k, o);
        if (dBias != null) {
            Elementwise.addColumnSums(pool, f(dBias), f(dOut), n, o);
        }
    }

    @Override
    public void linearActivation(Tensor out, Tensor preActivation, Tensor in, Tensor weight, Tensor bias, Activation act) {
        dense(out, preActivation == null ? out : preActivation, in, weight, bias, act);
    }

    // ---------------------------------------------------------------- activations

    @Override
    public void activation(Tensor out, Tensor in, Activation act) {
        float[] o = f(out), x = f(in);
        pool.parallelFor((int) in.size(), 1 << 12, (from, to) -> Activations.forward(act, x, o, from, to));
    }

    @Override
    public void activationBackward(Tensor dIn, Tensor dOut, Tensor in, Activation act) {
        float[] dx = f(dIn), dy = f(dOut), x = f(in);
        pool.parallelFor((int) in.size(), 1 << 12, (from, to) -> Activations.backward(act, x, dy, dx, from, to));
    }

    @Override
    public void dropout(Tensor out, Tensor in, float p, long seed) {
        float[] o = f(out), x = f(in);
        if (p == 0f) {
            if (o != x) System.arraycopy(x, 0, o, 0, (int) in.size());
            return;
        }
        Elementwise.dropout(pool, o, x, (int) in.size(), p, seed);
    }

    @Override
    public void dropoutBackward(Tensor dIn, Tensor dOut, float p, long seed) {
        Elementwise.dropoutBackward(pool, f(dIn), f(dOut), (int) dOut.size(), p, seed);
    }

    // ---------------------------------------------------------------- normalisation

    @Override
    public void layerNorm(Tensor out, Tensor mean, Tensor rstd, Tensor in, Tensor weight, Tensor bias, float eps) {
        LayerNorm.forward(pool, f(out), mean == null ? null : f(mean), rstd == null ? null : f(rstd),
                f(in), f(weight), f(bias), in.rows(), in.dim(-1), eps);
    }

    @Override
    public void addLayerNorm(Tensor out, Tensor sum, Tensor mean, Tensor rstd, Tensor a, Tensor b, Tensor weight,
                             Tensor bias, float eps) {
        LayerNorm.forward(pool, f(out), sum == null ? null : f(sum), mean == null ? null : f(mean),
                rstd == null ? null : f(rstd), f(a), f(b), f(weight), f(bias), a.rows(), a.dim(-1), eps);
    }

    @Override
    public void layerNormBackward(Tensor dIn, Tensor dWeight, Tensor dBias, Tensor dOut,
                                  Tensor in, Tensor weight, Tensor mean, Tensor rstd) {
        LayerNorm.backward(pool, dIn == null ? null : f(dIn), dWeight == null ? null : f(dWeight),
                dBias == null ? null : f(dBias), f(dOut), f(in), f(weight), f(mean), f(rstd),
                in.rows(), in.dim(-1));
    }

    // ---------------------------------------------------------------- embeddings and gathers

    @Override
    public void embedding(Tensor out, Tensor ids, Tensor typeIds, Tensor word, Tensor position, Tensor tokenType) {
        int b = ids.dim(0), t = ids.dim(1), c = word.dim(1);
        int[] id = i(ids), type = i(typeIds);
        float[] o = f(out), w = f(word), p = f(position), s = f(tokenType);
        int vocab = word.dim(0), types = tokenType.dim(0);
        if (t > position.dim(0)) {
            throw new IllegalArgumentException("sequence length " + t + " exceeds the " + position.dim(0) + " position embeddings");
        }
        pool.parallelFor(b * t, 8, (from, to) -> {
            for (int r = from; r < to; r++) {
                int tok = id[r], ty = type[r], pos = r % t;
                if (tok < 0 || tok >= vocab) throw new IllegalArgumentException("token id " + tok + " outside vocabulary of " + vocab);
                if (ty < 0 || ty >= types) throw new IllegalArgumentException("token type id " + ty + " outside " + types + " types");
                VectorOps.sum3(w, tok * c, p, pos * c, s, ty * c, o, r * c, c);
            }
        });
    }

    @Override
    public void embeddingBackward(Tensor dWord, Tensor dPosition, Tensor dTokenType, Tensor dOut,
                                  Tensor ids, Tensor typeIds) {
        int rows = ids.dim(0) * ids.dim(1), t = ids.dim(1), c = dOut.dim(-1);
        int[] id = i(ids), type = i(typeIds);
        float[] g = f(dOut);
        float[] dw = dWord == null ? null : f(dWord), dp = dPosition == null ? null : f(dPosition),
                dt = dTokenType == null ? null : f(dTokenType);
        // Several rows may hit the same table row: each thread owns a range of columns (whole vectors)
        // and adds the rows in order, so the sums are deterministic.
        int vectors = (c + VectorOps.LANES - 1) / VectorOps.LANES;
        pool.parallelFor(vectors, 1, (from, to) -> {
            int k0 = from * VectorOps.LANES, width = Math.min(c, to * VectorOps.LANES) - k0;
            for (int r = 0; r < rows; r++) {
                if (dw != null) VectorOps.add(g, r * c + k0, dw, id[r] * c + k0, width);
                if (dp != null) VectorOps.add(g, r * c + k0, dp, (r % t) * c + k0, width);
                if (dt != null) VectorOps.add(g, r * c + k0, dt, type[r] * c + k0, width);
            }
        });
    }

    @Override
    public void gatherRows(Tensor out, Tensor in, Tensor rows) {
        int c = in.dim(-1);
        int[] idx = i(rows);
        float[] o = f(out), x = f(in);
        checkRows(idx, (int) rows.size(), in.rows());
        for (int m = 0; m < rows.size(); m++) System.arraycopy(x, idx[m] * c, o, m * c, c);
    }

    @Override
    public void scatterAddRows(Tensor dIn, Tensor dOut, Tensor rows) {
        int c = dIn.dim(-1);
        int[] idx = i(rows);
        float[] dx = f(dIn), dy = f(dOut);
        checkRows(idx, (int) rows.size(), dIn.rows());
        for (int m = 0; m < rows.size(); m++) VectorOps.add(dy, m * c, dx, idx[m] * c, c);
    }

    private static void checkRows(int[] idx, int count, int rows) {
        for (int m = 0; m < count; m++) {
            if (idx[m] < 0 || idx[m] >= rows) {
                throw new IllegalArgumentException("row index " + idx[m] + " at " + m + " outside [0, " + rows + ")");
            }
        }
    }

    // ---------------------------------------------------------------- attention

    @Override
    public Tensor attention(Tensor out, Tensor qkv, Tensor maskBias, int heads, float dropoutP, long dropoutSeed,
                            boolean save) {
        int b = qkv.dim(0), t = qkv.dim(1);
        // Saved for the backward: the attention probabilities before dropout, (B, H, T, T).
        Tensor probs = save ? empty(DType.F32, b, heads, t, t) : null;
        Attention.forward(pool, f(out), probs == null ? null : f(probs), f(qkv), f(maskBias),
                b, t, qkv.dim(2) / 3, heads, dropoutP, dropoutSeed);
        return probs;
    }

    @Override
    public void attentionBackward(Tensor dQkv, Tensor dOut, Tensor qkv, Tensor maskBias, Tensor saved, int heads,
                                  float dropoutP, long dropoutSeed) {
        if (saved == null) throw new IllegalArgumentException("attentionBackward needs the tensor attention(save = true) returned");
        Attention.backward(pool, f(dQkv), f(dOut), f(qkv), f(saved), qkv.dim(0), qkv.dim(1), qkv.dim(2) / 3,
                heads, dropoutP, dropoutSeed);
    }

    // ---------------------------------------------------------------- losses and outputs

    @Override
    public void softmax(Tensor out, Tensor in) {
        int n = in.rows(), k = in.dim(-1);
        float[] o = f(out), x = f(in);
        pool.parallelFor(n, 16, (from, to) -> {
            for (int r = from; r < to; r++) Softmax.row(x, r * k, o, r * k, k);
        });
    }

    @Override
    public void crossEntropy(Tensor losses, Tensor dLogits, Tensor logits, Tensor labels, Tensor classWeights,
                             float labelSmoothing, float gradScale) {
        CrossEntropy.forwardBackward(pool, f(losses), dLogits == null ? null : f(dLogits), f(logits), i(labels),
                classWeights == null ? null : f(classWeights), logits.rows(), logits.dim(-1),
                labelSmoothing, gradScale);
    }

    // ---------------------------------------------------------------- optimizer

    @Override
    public void adamw(Tensor param, Tensor grad, Tensor m, Tensor v, double lr, double beta1, double beta2,
                      double eps, double weightDecay, long step) {
        AdamW.step(pool, f(param), f(grad), f(m), f(v), (int) param.size(), lr, beta1, beta2, eps, weightDecay, step);
    }
}
