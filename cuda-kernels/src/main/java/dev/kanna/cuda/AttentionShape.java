/*
 * The sizes of one attention call and of its kernels' launches: batch, sequence, model width, head
 * size, and D, the head size rounded up to a kernel instantiation (16, 32, 64 or 128). The shared
 * memory formulas mirror attention.cu's attn_*_smem_floats (each kernel checks the size it gets).
 */
package dev.kanna.cuda;

import dev.kanna.tensor.Tensor;

record AttentionShape(int b, int t, int c, int heads, int hs, int d) {

    static AttentionShape of(Tensor qkv, int heads) {
        if (qkv.rank() != 3 || qkv.dim(2) % 3 != 0) throw new IllegalArgumentException("qkv must be (B, T, 3C), got " + qkv);
        int c = qkv.dim(2) / 3;
        if (heads <= 0 || c % heads != 0) throw new IllegalArgumentException(heads + " heads do not divide width " + c);
        int hs = c / heads;
        int d = hs <= 16 ? 16 : hs <= 32 ? 32 : hs <= 64 ? 64 : hs <= 128 ? 128 : -1;
        if (d < 0) throw new UnsupportedOperationException("CUDA attention supports head sizes up to 128, got " + hs);
        if ((long) qkv.dim(0) * heads > 65535) throw new UnsupportedOperationException("batch × heads above 65535");
        return new AttentionShape(qkv.dim(0), qkv.dim(1), c, heads, hs, d);
    }

    /** Elements of the log-sum-exp part of the saved tensor, (B, H, T). */
    long lseSize() {
        return (long) b * heads * t;
    }

    float scale() {
        return (float) (1 / Math.sqrt(hs));   // as the CPU backend's Attention.java
    }

    static int fwdSharedBytes(int d) {
        return 4 * (64 * (d + 1) + 32 * (d + 1) + 32 * d + 64 * 40);
    }

    static int dqSharedBytes(int d) {
        return 4 * (2 * 64 * (d + 1) + 2 * 32 * (d + 1) + 64 * 40);
    }

    static int dkvSharedBytes(int d) {
        return 4 * (2 * 64 * (d + 1) + 2 * 32 * (d + 1) + 2 * 32 * 80);
    }
}
