/*
 * Multi-head self-attention over a packed (B, T, 3C) projection, one (batch, head) pair per task,
 * each pair's four products run by the GEMM on the pair's own thread (the pairs are the parallelism).
 * A pair reads and writes only its own head's columns, so pairs never share an output element.
 *
 *   forward:  S = Q·Kᵀ (T, T); P = softmax(S/√hs + mask) row by row; Pd = dropout(P); O = Pd·V,
 *             computed as O = (dropout(E)·V)/Σ with E = e^(S/√hs + mask − max) unnormalised
 *   backward: dV += Pdᵀ·dO;  dPd = dO·Vᵀ;  dS = P ∘ (dPd ∘ M − rowsum(Pd ∘ dPd)) / √hs;
 *             dQ += dS·K;  dK += dSᵀ·Q
 * The forward saves P (B, H, T, T) before dropout; the backward regenerates the dropout mask M from
 * its seed (element (b, h, i, j) is index ((b·H + h)·T + i)·T + j). Scratch (two T×T matrices per
 * thread) is reused from call to call.
 *
 * Padding: a key whose mask bias is −Float.MAX_VALUE (or −∞) gets probability exactly 0, its shifted
 * score being far below exp's cutoff for any finite score, so the forward skips a sequence's trailing
 * padded keys: scores, exponentials and P·V stop at the last real key rounded up to whole vectors.
 * The vector lanes then hold the same values (the skipped ones were +0) and P·V's FMA chains only lose
 * +0 terms, so results are bit for bit those of the full computation; saved P rows are zero-filled.
 */
package dev.kanna.backend.cpu;

import dev.kanna.backend.DropoutRng;
import dev.kanna.backend.cpu.Gemm.Mat;

import java.util.Arrays;

final class Attention {
    private Attention() {
    }

    private static final class Scratch {
        float[] s = new float[0], d = new float[0], inv = new float[0];

        Scratch ensure(int t) {
            if (s.length < t * t) {
                s = new float[t * t];
                d = new float[t * t];
            }
            if (inv.length < t) inv = new float[t];
            return this;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    static void forward(ThreadPool pool, float[] out, float[] probsOut, float[] qkv, float[] maskBias,
                        int b, int t, int c, int heads, float dropoutP, long seed) {
        int hs = c / heads, c3 = 3 * c;
        float scale = (float) (1 / Math.sqrt(hs));
        pool.parallelFor(b * heads, 1, (from, to) -> {
            Scratch scratch = SCRATCH.get().ensure(t);
            float[] s = scratch.s, inv = scratch.inv;      // (T, T) scores, then e^(score − max); (T) 1/Σ
            for (int bh = from; bh < to; bh++) {
                int bi = bh / heads, h = bh % heads, base = bi * t * c3, o = bi * t * c + h * hs;
                int keys = keys(maskBias, bi * t, t);
                Gemm.multiply(null, t, keys, hs, Mat.rows(qkv, base + h * hs, c3),
                        Mat.transposed(qkv, base + c + h * hs, c3), s, 0, t, false, null);
                // Unnormalised probabilities; the 1/Σ goes on the (T, hs) output instead of the (T, T) matrix.
                for (int i = 0; i < t; i++) {
                    inv[i] = Softmax.scaledMaskedExp(s, i * t, keys, scale, maskBias, bi * t);
                    if (probsOut != null) {
                        int row = bh * t * t + i * t;
                        VectorOps.scaleInto(s, i * t, probsOut, row, keys, inv[i]);
                        Arrays.fill(probsOut, row + keys, row + t, 0f);
                    }
                }
                if (dropoutP != 0f) Elementwise.dropoutInPlace(s, 0, t * t, dropoutP, seed, (long) bh * t * t);
                Gemm.multiply(null, t, hs, keys, Mat.rows(s, 0, t), Mat.rows(qkv, base + 2 * c + h * hs, c3),
                        out, o, c, false, null);
                for (int i = 0; i < t; i++) VectorOps.scale(out, o + i * c, hs, inv[i]);
            }
        });
    }

    /**
     * The keys of sequence row [rowOff, rowOff + t) of the mask bias that can get a nonzero probability:
     * up to the last one above −Float.MAX_VALUE, rounded up to whole vectors (at most t); all t when
     * every key is padding.
     */
    static int keys(float[] maskBias, int rowOff, int t) {
        int last = t - 1;
        while (last >= 0 && maskBias[rowOff + last] <= -Float.MAX_VALUE) last--;
        if (last < 0) return t;           // all padding: every key is equally likely, as in the full softmax
        int lanes = VectorOps.LANES;
        return Math.min(t, (last + lanes) / lanes * lanes);
    }

    static void backward(ThreadPool pool, float[] dQkv, float[] dOut, float[] qkv, float[] probs,
                         int b, int t, int c, int heads, float dropoutP, long seed) {
        int hs = c / heads, c3 = 3 * c;
        float scale = (float) (1 / Math.sqrt(hs));
        pool.parallelFor(b * heads, 1, (from, to) -> {
            Scratch scratch = SCRATCH.get().ensure(t);
            float[] pd = scratch.s, dp = scratch.d;         // (T, T) dropped probabilities; their gradient
            for (int bh = from; bh < to; bh++) {
                int bi = bh / heads, h = bh % heads, base = bi * t * c3, pBase = bh * t * t;
                int q = base + h * hs, k = base + c + h * hs, v = base + 2 * c + h * hs, o = bi * t * c + h * hs;
                float[] pdArr = probs;
                int pdOff = pBase;
                if (dropoutP != 0f) {
                    System.arraycopy(probs, pBase, pd, 0, t * t);
                    Elementwise.dropoutInPlace(pd, 0, t * t, dropoutP, seed, pBase);
                    pdArr = pd;
                    pdOff = 0;
                }
                // dV(T, hs) += Pdᵀ·dO
                Gemm.multiply(null, t, hs, t, Mat.transposed(pdArr, pdOff, t), Mat.rows(dOut, o, c),
                        dQkv, v, c3, true, null);
                // dPd(T, T) = dO·Vᵀ
                Gemm.multiply(null, t, t, hs, Mat.rows(dOut, o, c), Mat.transposed(qkv, v, c3), dp, 0, t, false, null);
                for (int i = 0; i < t; i++) {
                    Softmax.backwardRow(dp, i * t, probs, pBase + i * t, pdArr, pdOff + i * t, t, scale);
                }
                // dQ(T, hs) += dS·K;  dK(T, hs) += dSᵀ·Q
                Gemm.multiply(null, t, hs, t, Mat.rows(dp, 0, t), Mat.rows(qkv, k, c3), dQkv, q, c3, true, null);
                Gemm.multiply(null, t, hs, t, Mat.transposed(dp, 0, t), Mat.rows(qkv, q, c3), dQkv, k, c3, true, null);
            }
        });
    }
}
