/*
 * A test backend that measures memory: the CPU backend's kernels over storage from its own pool,
 * counting fresh allocations (storage the pool could not reuse) and the live and peak number of
 * floats held. Lets tests show that frozen layers keep no activations and that a steady-state
 * training step allocates nothing new.
 */
package dev.kanna.autograd;

import dev.kanna.backend.Activation;
import dev.kanna.backend.PooledBackend;
import dev.kanna.backend.cpu.CpuBackend;
import dev.kanna.tensor.DType;
import dev.kanna.tensor.Tensor;

public final class CountingBackend extends PooledBackend {
    private final CpuBackend cpu = new CpuBackend(2);
    private final long poolLimit;
    private long freshAllocations;
    private long freed;
    private long live;
    private long peak;

    /** A pool that keeps every released buffer. */
    public CountingBackend() {
        this(Long.MAX_VALUE);
    }

    /** A pool whose free lists hold at most poolLimit bytes. */
    public CountingBackend(long poolLimit) {
        this.poolLimit = poolLimit;
    }

    public long freshAllocations() {
        return freshAllocations;
    }

    /** Buffers given back to the device because the pool was full. */
    public long freed() {
        return freed;
    }

    public long liveFloats() {
        return live;
    }

    public long peakFloats() {
        return peak;
    }

    /** Restarts the peak from the current live count. */
    public void resetPeak() {
        peak = live;
    }

    @Override
    public String name() {
        return "counting-cpu";
    }

    @Override
    public String description() {
        return "counting " + cpu.description();
    }

    @Override
    protected Object allocateStorage(DType dtype, long size) {
        freshAllocations++;
        return dtype == DType.F32 ? new float[(int) size] : new int[(int) size];
    }

    @Override
    protected void zeroStorage(Object storage, DType dtype, long size) {
        if (storage instanceof float[] f) java.util.Arrays.fill(f, 0f);
        else java.util.Arrays.fill((int[]) storage, 0);
    }

    @Override
    protected void freeStorage(Object storage) {
        freed++;
    }

    @Override
    protected long maxPooledBytes() {
        return poolLimit;
    }

    @Override
    public Tensor empty(DType dtype, int... shape) {
        Tensor t = super.empty(dtype, shape);
        live += t.size();
        peak = Math.max(peak, live);
        return t;
    }

    @Override
    public void release(Tensor t) {
        if (t.ownsStorage() && !t.isReleased() && t.backend() == this) live -= t.size();
        super.release(t);
    }

    @Override
    public void close() {
        cpu.close();
    }

    // The kernels read and write storage arrays only, so the CPU backend's work on ours.

    @Override public Tensor upload(float[] data, int... shape) { Tensor t = empty(DType.F32, shape); System.arraycopy(data, 0, t.storage(), 0, data.length); return t; }
    @Override public Tensor upload(int[] data, int... shape) { Tensor t = empty(DType.I32, shape); System.arraycopy(data, 0, t.storage(), 0, data.length); return t; }
    @Override public float[] download(Tensor t) { return cpu.download(t); }
    @Override public int[] downloadInts(Tensor t) { return cpu.downloadInts(t); }
    @Override public void copy(Tensor dst, Tensor src) { cpu.copy(dst, src); }
    @Override public void fill(Tensor t, float value) { cpu.fill(t, value); }
    @Override public void add(Tensor out, Tensor a, Tensor b) { cpu.add(out, a, b); }
    @Override public void scale(Tensor t, float factor) { cpu.scale(t, factor); }
    @Override public double sumOfSquares(Tensor t) { return cpu.sumOfSquares(t); }
    @Override public void linear(Tensor out, Tensor in, Tensor w, Tensor b) { cpu.linear(out, in, w, b); }
    @Override public void linearBackward(Tensor dIn, Tensor dW, Tensor dB, Tensor dOut, Tensor in, Tensor w) { cpu.linearBackward(dIn, dW, dB, dOut, in, w); }
    @Override public void activation(Tensor out, Tensor in, Activation act) { cpu.activation(out, in, act); }
    @Override public void activationBackward(Tensor dIn, Tensor dOut, Tensor in, Activation act) { cpu.activationBackward(dIn, dOut, in, act); }
    @Override public void dropout(Tensor out, Tensor in, float p, long seed) { cpu.dropout(out, in, p, seed); }
    @Override public void dropoutBackward(Tensor dIn, Tensor dOut, float p, long seed) { cpu.dropoutBackward(dIn, dOut, p, seed); }
    @Override public void layerNorm(Tensor out, Tensor mean, Tensor rstd, Tensor in, Tensor w, Tensor b, float eps) { cpu.layerNorm(out, mean, rstd, in, w, b, eps); }
    @Override public void layerNormBackward(Tensor dIn, Tensor dW, Tensor dB, Tensor dOut, Tensor in, Tensor w, Tensor mean, Tensor rstd) { cpu.layerNormBackward(dIn, dW, dB, dOut, in, w, mean, rstd); }
    @Override public void embedding(Tensor out, Tensor ids, Tensor types, Tensor word, Tensor pos, Tensor type) { cpu.embedding(out, ids, types, word, pos, type); }
    @Override public void embeddingBackward(Tensor dWord, Tensor dPos, Tensor dType, Tensor dOut, Tensor ids, Tensor types) { cpu.embeddingBackward(dWord, dPos, dType, dOut, ids, types); }
    @Override public void gatherRows(Tensor out, Tensor in, Tensor rows) { cpu.gatherRows(out, in, rows); }
    @Override public void scatterAddRows(Tensor dIn, Tensor dOut, Tensor rows) { cpu.scatterAddRows(dIn, dOut, rows); }
    @Override public void softmax(Tensor out, Tensor in) { cpu.softmax(out, in); }
    @Override public void crossEntropy(Tensor losses, Tensor dLogits, Tensor logits, Tensor labels, Tensor w, float eps, float scale) { cpu.crossEntropy(losses, dLogits, logits, labels, w, eps, scale); }
    @Override public void adamw(Tensor p, Tensor g, Tensor m, Tensor v, double lr, double b1, double b2, double eps, double wd, long step) { cpu.adamw(p, g, m, v, lr, b1, b2, eps, wd, step); }
    @Override public void attentionBackward(Tensor dQkv, Tensor dOut, Tensor qkv, Tensor mask, Tensor saved, int heads, float p, long seed) { cpu.attentionBackward(dQkv, dOut, qkv, mask, saved, heads, p, seed); }

    /** The CPU's saved tensor is copied into our storage (and theirs returned), so it is counted and scoped. */
    @Override
    public Tensor attention(Tensor out, Tensor qkv, Tensor mask, int heads, float p, long seed, boolean save) {
        Tensor theirs = cpu.attention(out, qkv, mask, heads, p, seed, save);
        if (theirs == null) return null;
        Tensor ours = empty(DType.F32, theirs.shape());
        System.arraycopy(theirs.storage(), 0, ours.storage(), 0, (int) theirs.size());
        cpu.release(theirs);
        return ours;
    }
}
