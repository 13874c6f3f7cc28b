/*
 * One BERT encoder layer (post-LayerNorm, as in HF's BertLayer) composed directly from Backend ops,
 * for benchmarks only (the model classes live in the engine). Weights random, shapes real:
 *
 *   qkv = x·Wqkvᵀ + b                      (B·T, 3C)   query, key and value projections packed
 *   ctx = attention(qkv, mask)            (B·T, C)
 *   h1  = LayerNorm(ctx·Woᵀ + bo + x)     (B·T, C)
 *   u   = GELU(h1·Wiᵀ + bi)               (B·T, I)
 *   out = LayerNorm(u·Wdᵀ + bd + h1)      (B·T, C)
 *
 * forward() runs inference (nothing saved, no dropout) with the fused ops (linearActivation for bias +
 * GELU, addLayerNorm for residual + LayerNorm); forwardBackward() saves what the backward needs,
 * applies dropout 0.1 as in training, and back-propagates a gradient to every input and weight.
 */
package dev.kanna.bench;

import dev.kanna.backend.Activation;
import dev.kanna.backend.Backend;
import dev.kanna.backend.Scope;
import dev.kanna.tensor.DType;
import dev.kanna.tensor.Tensor;

import java.util.SplittableRandom;

final class EncoderLayer {
    final Backend backend;
    final int b, t, c, heads, inter, n;
    final Tensor x, mask, dOutput;
    final Tensor wQkv, bQkv, wO, bO, ln1W, ln1B, wI, bI, wD, bD, ln2W, ln2B;
    final Tensor[] grads;
    static final float EPS = 1e-12f, DROPOUT = 0.1f;

    EncoderLayer(Backend backend, int b, int t, int c, int heads, int inter) {
        this.backend = backend;
        this.b = b;
        this.t = t;
        this.c = c;
        this.heads = heads;
        this.inter = inter;
        this.n = b * t;
        SplittableRandom random = new SplittableRandom(1);
        x = random(random, 1, n, c);
        float[] m = new float[n];
        for (int s = 0; s < b; s++) {
            for (int j = t - (s % 4) * t / 8; j < t; j++) m[s * t + j] = -Float.MAX_VALUE;   // some padding
        }
        mask = backend.upload(m, b, t);
        dOutput = random(random, 1, n, c);
        double ws = 0.02;
        wQkv = random(random, ws, 3 * c, c);
        bQkv = random(random, ws, 3 * c);
        wO = random(random, ws, c, c);
        bO = random(random, ws, c);
        ln1W = random(random, 1, c);
        ln1B = random(random, ws, c);
        wI = random(random, ws, inter, c);
        bI = random(random, ws, inter);
        wD = random(random, ws, c, inter);
        bD = random(random, ws, c);
        ln2W = random(random, 1, c);
        ln2B = random(random, ws, c);
        Tensor[] params = {wQkv, bQkv, wO, bO, ln1W, ln1B, wI, bI, wD, bD, ln2W, ln2B};
        grads = new Tensor[params.length];
        for (int i = 0; i < params.length; i++) grads[i] = backend.zeros(params[i].shape());
    }

    private Tensor random(SplittableRandom random, double scale, int... shape) {
        int size = 1;
        for (int d : shape) size = Math.multiplyExact(size, d);
        float[] v = new float[size];
        for (int i = 0; i < size; i++) v[i] = (float) ((random.nextDouble() * 2 - 1) * scale);
        return backend.upload(v, shape);
    }

    private Tensor empty(int... shape) {
        return backend.empty(DType.F32, shape);
    }

    /** Inference: returns nothing; every activation goes back to the pool when the scope closes. */
    void forward() {
        try (Scope s = backend.scope()) {
            Tensor qkv = empty(n, 3 * c), ctx = empty(b, t, c), a = empty(n, c), h1 = empty(n, c);
            Tensor u = empty(n, inter), d = empty(n, c), out = empty(n, c);
            backend.linear(qkv, x, wQkv, bQkv);
            backend.attention(ctx, qkv.view(b, t, 3 * c), mask, heads, 0f, 0, false);
            backend.linear(a, ctx.view(n, c), wO, bO);
            backend.addLayerNorm(h1, null, null, null, a, x, ln1W, ln1B, EPS);
            backend.linearActivation(u, null, h1, wI, bI, Activation.GELU_ERF);
            backend.linear(d, u, wD, bD);
            backend.addLayerNorm(out, null, null, null, d, h1, ln2W, ln2B, EPS);
        }
    }

    /** Training: forward with saves and dropout, then the backward into every weight gradient. */
    void forwardBackward(long seed) {
        try (Scope s = backend.scope()) {
            Tensor qkv = empty(n, 3 * c), ctx = empty(b, t, c), a = empty(n, c), ad = empty(n, c), h1 = empty(n, c);
            Tensor mean1 = empty(n), rstd1 = empty(n), mean2 = empty(n), rstd2 = empty(n);
            Tensor pre = empty(n, inter), u = empty(n, inter), d = empty(n, c), dd = empty(n, c), out = empty(n, c);
            backend.linear(qkv, x, wQkv, bQkv);
            Tensor saved = backend.attention(ctx, qkv.view(b, t, 3 * c), mask, heads, DROPOUT, seed, true);
            backend.linear(a, ctx.view(n, c), wO, bO);
            backend.dropout(a, a, DROPOUT, seed + 1);
            backend.addLayerNorm(h1, ad, mean1, rstd1, a, x, ln1W, ln1B, EPS);      // ad = a + x, kept
            backend.linearActivation(u, pre, h1, wI, bI, Activation.GELU_ERF);
            backend.linear(d, u, wD, bD);
            backend.dropout(d, d, DROPOUT, seed + 2);
            backend.addLayerNorm(out, dd, mean2, rstd2, d, h1, ln2W, ln2B, EPS);

            Tensor dDd = backend.zeros(n, c), dD = backend.zeros(n, c), dU = backend.zeros(n, inter);
            Tensor dPre = backend.zeros(n, inter), dH1 = backend.zeros(n, c), dAd = backend.zeros(n, c);
            Tensor dA = backend.zeros(n, c), dCtx = backend.zeros(n, c), dQkv = backend.zeros(b, t, 3 * c);
            Tensor dX = backend.zeros(n, c);
            backend.layerNormBackward(dDd, grads[10], grads[11], dOutput, dd, ln2W, mean2, rstd2);
            backend.add(dH1, dH1, dDd);                                   // residual
            backend.dropoutBackward(dD, dDd, DROPOUT, seed + 2);
            backend.linearBackward(dU, grads[8], grads[9], dD, u, wD);
            backend.activationBackward(dPre, dU, pre, Activation.GELU_ERF);
            backend.linearBackward(dH1, grads[6], grads[7], dPre, h1, wI);
            backend.layerNormBackward(dAd, grads[4], grads[5], dH1, ad, ln1W, mean1, rstd1);
            backend.add(dX, dX, dAd);                                     // residual
            backend.dropoutBackward(dA, dAd, DROPOUT, seed + 1);
            backend.linearBackward(dCtx, grads[2], grads[3], dA, ctx.view(n, c), wO);
            backend.attentionBackward(dQkv, dCtx.view(b, t, c), qkv.view(b, t, 3 * c), mask, saved, heads, DROPOUT, seed);
            backend.linearBackward(dX, grads[0], grads[1], dQkv.view(n, 3 * c), x, wQkv);
        }
    }
}
