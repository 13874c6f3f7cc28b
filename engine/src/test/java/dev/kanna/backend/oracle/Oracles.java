/*
 * Naive reference implementations of every Backend op, forward and backward, in double precision on
 * plain arrays. They are written for obviousness, not speed: straight loops that follow the formulas
 * in Backend's javadoc (and PyTorch's definitions), sharing no code with any backend. Every optimised
 * kernel (CPU Vector API, CUDA) is tested against them; the gradient formulas here are themselves
 * checked by finite differences (OracleGradientTest).
 *
 * Conventions: row-major arrays, sizes passed explicitly, results returned as fresh arrays (backward
 * ops return the gradient itself; a backend ACCUMULATES it into its gradient outputs, so a test adds
 * the pre-filled values). Float inputs are widened with widen() first; every float is exactly a double,
 * so oracle and backend see the same inputs.
 *
 * Dropout indices (the contract every backend shares through DropoutRng): the dropout op draws element
 * k of the flat tensor at index k; attention draws probability (b, h, i, j) at index ((b·H + h)·T + i)·T + j.
 */
package dev.kanna.backend.oracle;

import dev.kanna.backend.Activation;
import dev.kanna.backend.DropoutRng;

public final class Oracles {
    private Oracles() {
    }

    // ---------------------------------------------------------------- helpers

    public static double[] widen(float[] x) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) d[i] = x[i];
        return d;
    }

    /** Elementwise |x|: running an oracle on |inputs| bounds the magnitude of every term it sums. */
    public static double[] abs(double[] x) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) d[i] = Math.abs(x[i]);
        return d;
    }

    // ---------------------------------------------------------------- dense layers

    /** out(N, O) = in(N, I) · weight(O, I)ᵀ + bias(O); bias nullable. */
    public static double[] linear(double[] in, double[] weight, double[] bias, int n, int inF, int outF) {
        double[] out = new double[n * outF];
        for (int r = 0; r < n; r++) {
            for (int o = 0; o < outF; o++) {
                double s = bias == null ? 0 : bias[o];
                for (int i = 0; i < inF; i++) s += in[r * inF + i] * weight[o * inF + i];
                out[r * outF + o] = s;
            }
        }
        return out;
    }

    public record LinearGrads(double[] dIn, double[] dWeight, double[] dBias) {
    }

    public static LinearGrads linearBackward(double[] dOut, double[] in, double[] weight, int n, int inF, int outF) {
        double[] dIn = new double[n * inF], dW = new double[outF * inF], dB = new double[outF];
        for (int r = 0; r < n; r++) {
            for (int o = 0; o < outF; o++) {
                double g = dOut[r * outF + o];
                dB[o] += g;
                for (int i = 0; i < inF; i++) {
                    dIn[r * inF + i] += g * weight[o * inF + i];
                    dW[o * inF + i] += g * in[r * inF + i];
                }
            }
        }
        return new LinearGrads(dIn, dW, dB);
    }

    // ---------------------------------------------------------------- activations

    private static final double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

    public static double activation(Activation act, double x) {
        return switch (act) {
            case GELU_ERF -> 0.5 * x * (1 + erf(x / Math.sqrt(2)));
            case GELU_TANH -> 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)));
            case RELU -> x > 0 ? x : 0;
            case TANH -> Math.tanh(x);
        };
    }

    /** d act(x) / dx. ReLU's derivative at 0 is 0, as in PyTorch. */
    public static double activationDerivative(Activation act, double x) {
        return switch (act) {
            case GELU_ERF -> 0.5 * (1 + erf(x / Math.sqrt(2))) + x * Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
            case GELU_TANH -> {
                double u = SQRT_2_OVER_PI * (x + 0.044715 * x * x * x);
                double th = Math.tanh(u);
                double du = SQRT_2_OVER_PI * (1 + 3 * 0.044715 * x * x);
                yield 0.5 * (1 + th) + 0.5 * x * (1 - th * th) * du;
            }
            case RELU -> x > 0 ? 1 : 0;
            case TANH -> 1 - Math.tanh(x) * Math.tanh(x);
        };
    }

    public static double[] activation(double[] x, Activation act) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) y[i] = activation(act, x[i]);
        return y;
    }

    public static double[] activationBackward(double[] dOut, double[] x, Activation act) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) d[i] = activationDerivative(act, x[i]) * dOut[i];
        return d;
    }

    /**
     * erf by Abramowitz and Stegun 7.1.6: erf(x) = 2/√π · e^{−x²} · Σₙ 2ⁿ x^{2n+1} / (1·3·…·(2n+1)).
     * All terms have one sign (no cancellation), so it is accurate to a few ulps wherever it converges;
     * beyond |x| = 6, erf is ±1 in double.
     */
    public static double erf(double x) {
        if (Math.abs(x) > 6) return Math.signum(x);
        double x2 = x * x, term = x, sum = x;
        for (int n = 1; n < 500; n++) {
            term *= 2 * x2 / (2 * n + 1);
            sum += term;
            if (Math.abs(term) < 1e-18 * Math.abs(sum)) break;
        }
        return 2 / Math.sqrt(Math.PI) * Math.exp(-x2) * sum;
    }

    // ---------------------------------------------------------------- dropout

    public static double[] dropout(double[] x, float p, long seed) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) y[i] = x[i] * dropoutFactor(p, seed, i);
        return y;
    }

    public static double[] dropoutBackward(double[] dOut, float p, long seed) {
        return dropout(dOut, p, seed);   // linear in its input: the same mask and scale
    }

    /** mask / (1 − p) for one element: 0 when dropped, 1/(1 − p) when kept, 1 when p = 0. */
    public static double dropoutFactor(float p, long seed, long index) {
        if (p == 0f) return 1;
        return DropoutRng.keep(seed, index, p) ? 1 / (1 - (double) p) : 0;
    }

    // ---------------------------------------------------------------- layer norm

    public record LayerNormResult(double[] out, double[] mean, double[] rstd) {
    }

    /** PyTorch's LayerNorm over the last dimension: biased variance, eps inside the square root. */
    public static LayerNormResult layerNorm(double[] in, double[] w, double[] b, int n, int c, double eps) {
        double[] out = new double[n * c], mean = new double[n], rstd = new double[n];
        for (int r = 0; r < n; r++) {
            double mu = 0;
            for (int k = 0; k < c; k++) mu += in[r * c + k];
            mu /= c;
            double var = 0;
            for (int k = 0; k < c; k++) var += (in[r * c + k] - mu) * (in[r * c + k] - mu);
            var /= c;
            double rs = 1 / Math.sqrt(var + eps);
            for (int k = 0; k < c; k++) out[r * c + k] = (in[r * c + k] - mu) * rs * w[k] + b[k];
            mean[r] = mu;
            rstd[r] = rs;
        }
        return new LayerNormResult(out, mean, rstd);
    }

    public record LayerNormGrads(double[] dIn, double[] dWeight, double[] dBias) {
    }

    /** Statistics recomputed from in; with x̂ = (x − μ)·rstd and g = dOut·w: dx = rstd·(g − mean(g) − x̂·mean(g·x̂)). */
    public static LayerNormGrads layerNormBackward(double[] dOut, double[] in, double[] w, int n, int c, double eps) {
        LayerNormResult stats = layerNorm(in, w, new double[c], n, c, eps);
        double[] dIn = new double[n * c], dW = new double[c], dB = new double[c];
        for (int r = 0; r < n; r++) {
            double mu = stats.mean[r], rs = stats.rstd[r];
            double meanG = 0, meanGx = 0;
            for (int k = 0; k < c; k++) {
                double xhat = (in[r * c + k] - mu) * rs, g = dOut[r * c + k] * w[k];
                meanG += g / c;
                meanGx += g * xhat / c;
                dW[k] += dOut[r * c + k] * xhat;
                dB[k] += dOut[r * c + k];
            }
            for (int k = 0; k < c; k++) {
                double xhat = (in[r * c + k] - mu) * rs, g = dOut[r * c + k] * w[k];
                dIn[r * c + k] = rs * (g - meanG - xhat * meanGx);
            }
        }
        return new LayerNormGrads(dIn, dW, dB);
    }

    // ---------------------------------------------------------------- embeddings and gathers

    /** out(B, T, C) = word[ids] + position[t] + tokenType[typeIds]. */
    public static double[] embedding(int[] ids, int[] typeIds, double[] word, double[] position, double[] tokenType,
                                     int b, int t, int c) {
        double[] out = new double[b * t * c];
        for (int r = 0; r < b * t; r++) {
            for (int k = 0; k < c; k++) {
                out[r * c + k] = word[ids[r] * c + k] + position[(r % t) * c + k] + tokenType[typeIds[r] * c + k];
            }
        }
        return out;
    }

    public record EmbeddingGrads(double[] dWord, double[] dPosition, double[] dTokenType) {
    }

    public static EmbeddingGrads embeddingBackward(double[] dOut, int[] ids, int[] typeIds, int vocab, int positions,
                                                   int types, int b, int t, int c) {
        double[] dW = new double[vocab * c], dP = new double[positions * c], dT = new double[types * c];
        for (int r = 0; r < b * t; r++) {
            for (int k = 0; k < c; k++) {
                double g = dOut[r * c + k];
                dW[ids[r] * c + k] += g;
                dP[(r % t) * c + k] += g;
                dT[typeIds[r] * c + k] += g;
            }
        }
        return new EmbeddingGrads(dW, dP, dT);
    }

    /** out(M, C) = in(rows[m], C). */
    public static double[] gatherRows(double[] in, int[] rows, int c) {
        double[] out = new double[rows.length * c];
        for (int m = 0; m < rows.length; m++) System.arraycopy(in, rows[m] * c, out, m * c, c);
        return out;
    }

    /** dIn(inRows, C) with dIn(rows[m]) += dOut(m) (repeated rows add up). */
    public static double[] scatterAddRows(double[] dOut, int[] rows, int inRows, int c) {
        double[] dIn = new double[inRows * c];
        for (int m = 0; m < rows.length; m++) {
            for (int k = 0; k < c; k++) dIn[rows[m] * c + k] += dOut[m * c + k];
        }
        return dIn;
    }

    // ---------------------------------------------------------------- attention

    public record AttentionResult(double[] out, double[] probs) {
    }

    /**
     * BERT self-attention over qkv (B, T, 3C) = [Q | K | V], head h at columns h·hs within each:
     * S = Q_h·K_hᵀ/√hs + maskBias(b, ·); P = softmax(S) (probs, (B, H, T, T), before dropout);
     * out(b, i, h·hs + d) = Σⱼ dropout(P)ᵢⱼ · V_h(j, d).
     */
    public static AttentionResult attention(double[] qkv, double[] maskBias, int b, int t, int c, int heads,
                                            float p, long seed) {
        int hs = c / heads;
        double scale = 1 / Math.sqrt(hs);
        double[] out = new double[b * t * c], probs = new double[b * heads * t * t];
        for (int bi = 0; bi < b; bi++) {
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < t; i++) {
                    double[] s = new double[t];
                    for (int j = 0; j < t; j++) {
                        double dot = 0;
                        for (int d = 0; d < hs; d++) {
                            dot += at(qkv, Q, bi, i, h, d, t, c, heads) * at(qkv, K, bi, j, h, d, t, c, heads);
                        }
                        s[j] = dot * scale + maskBias[bi * t + j];
                    }
                    double[] row = softmaxRow(s);
                    int pRow = ((bi * heads + h) * t + i) * t;
                    System.arraycopy(row, 0, probs, pRow, t);
                    for (int d = 0; d < hs; d++) {
                        double sum = 0;
                        for (int j = 0; j < t; j++) {
                            sum += row[j] * dropoutFactor(p, seed, pRow + j) * at(qkv, V, bi, j, h, d, t, c, heads);
                        }
                        out[(bi * t + i) * c + h * hs + d] = sum;
                    }
                }
            }
        }
        return new AttentionResult(out, probs);
    }

    /** dQkv (B, T, 3C): the gradient of attention's out with respect to qkv (the mask gets none). */
    public static double[] attentionBackward(double[] dOut, double[] qkv, double[] maskBias, int b, int t, int c,
                                             int heads, float p, long seed) {
        int hs = c / heads, c3 = 3 * c;
        double scale = 1 / Math.sqrt(hs);
        double[] probs = attention(qkv, maskBias, b, t, c, heads, p, seed).probs;
        double[] dQkv = new double[b * t * c3];
        for (int bi = 0; bi < b; bi++) {
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < t; i++) {
                    int pRow = ((bi * heads + h) * t + i) * t;
                    double[] dP = new double[t];       // ∂L/∂P(i, j) through the dropped probabilities
                    for (int j = 0; j < t; j++) {
                        double mask = dropoutFactor(p, seed, pRow + j), dot = 0;
                        for (int d = 0; d < hs; d++) {
                            double g = dOut[(bi * t + i) * c + h * hs + d];
                            dot += g * at(qkv, V, bi, j, h, d, t, c, heads);
                            dQkv[(bi * t + j) * c3 + 2 * c + h * hs + d] += probs[pRow + j] * mask * g;   // dV
                        }
                        dP[j] = dot * mask;
                    }
                    double rowDot = 0;                 // Σⱼ P(i, j)·dP(i, j): the softmax Jacobian's rank-one part
                    for (int j = 0; j < t; j++) rowDot += probs[pRow + j] * dP[j];
                    for (int j = 0; j < t; j++) {
                        double dS = probs[pRow + j] * (dP[j] - rowDot) * scale;
                        for (int d = 0; d < hs; d++) {
                            dQkv[(bi * t + i) * c3 + h * hs + d] += dS * at(qkv, K, bi, j, h, d, t, c, heads);       // dQ
                            dQkv[(bi * t + j) * c3 + c + h * hs + d] += dS * at(qkv, Q, bi, i, h, d, t, c, heads);   // dK
                        }
                    }
                }
            }
        }
        return dQkv;
    }

    private static final int Q = 0, K = 1, V = 2;

    /** Element d of head h of the query, key or value (part) of token i in sequence b. */
    private static double at(double[] qkv, int part, int b, int i, int h, int d, int t, int c, int heads) {
        return qkv[(b * t + i) * 3 * c + part * c + h * (c / heads) + d];
    }

    // ---------------------------------------------------------------- softmax and losses

    private static double[] softmaxRow(double[] s) {
        double max = Double.NEGATIVE_INFINITY;
        for (double x : s) max = Math.max(max, x);
        double sum = 0;
        double[] e = new double[s.length];
        for (int j = 0; j < s.length; j++) {
            e[j] = Math.exp(s[j] - max);
            sum += e[j];
        }
        for (int j = 0; j < s.length; j++) e[j] /= sum;
        return e;
    }

    /** Row-wise softmax of in (N, K). */
    public static double[] softmax(double[] in, int n, int k) {
        double[] out = new double[n * k];
        for (int r = 0; r < n; r++) {
            double[] row = new double[k];
            System.arraycopy(in, r * k, row, 0, k);
            System.arraycopy(softmaxRow(row), 0, out, r * k, k);
        }
        return out;
    }

    public record CrossEntropyResult(double[] losses, double[] dLogits) {
    }

    /**
     * torch.nn.functional.cross_entropy(reduction="none") with class weights (null: all 1), label
     * smoothing ε and ignored (negative) labels; dLogits = gradScale · ∂lossₙ/∂logits, derived here by
     * hand: ∂/∂zⱼ of w_y·(lse − z_y) is w_y·(pⱼ − [j = y]); of Σₖ wₖ·(lse − zₖ) is (Σₖ wₖ)·pⱼ − wⱼ.
     */
    public static CrossEntropyResult crossEntropy(double[] logits, int[] labels, double[] weights, int n, int k,
                                                  double smoothing, double gradScale) {
        double[] losses = new double[n], dLogits = new double[n * k];
        double wSum = 0;
        for (int j = 0; j < k; j++) wSum += weight(weights, j);
        for (int r = 0; r < n; r++) {
            int y = labels[r];
            if (y < 0) continue;
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < k; j++) max = Math.max(max, logits[r * k + j]);
            double sum = 0;
            for (int j = 0; j < k; j++) sum += Math.exp(logits[r * k + j] - max);
            double lse = max + Math.log(sum);
            double loss = (1 - smoothing) * weight(weights, y) * (lse - logits[r * k + y]);
            for (int j = 0; j < k; j++) loss += smoothing / k * weight(weights, j) * (lse - logits[r * k + j]);
            losses[r] = loss;
            for (int j = 0; j < k; j++) {
                double pj = Math.exp(logits[r * k + j] - lse);
                double g = (1 - smoothing) * weight(weights, y) * (pj - (j == y ? 1 : 0))
                        + smoothing / k * (wSum * pj - weight(weights, j));
                dLogits[r * k + j] = gradScale * g;
            }
        }
        return new CrossEntropyResult(losses, dLogits);
    }

    private static double weight(double[] weights, int j) {
        return weights == null ? 1 : weights[j];
    }

    // ---------------------------------------------------------------- optimizer

    public record AdamWState(double[] param, double[] m, double[] v) {
    }

    /** torch.optim.AdamW (amsgrad off, maximize off) for one step, step counting from 1, all in double. */
    public static AdamWState adamw(double[] param, double[] grad, double[] m, double[] v, double lr, double beta1,
                                   double beta2, double eps, double weightDecay, long step) {
        double[] p2 = new double[param.length], m2 = new double[param.length], v2 = new double[param.length];
        double bc1 = 1 - Math.pow(beta1, step), bc2 = 1 - Math.pow(beta2, step);
        for (int i = 0; i < param.length; i++) {
            double p = param[i] * (1 - lr * weightDecay);
            m2[i] = beta1 * m[i] + (1 - beta1) * grad[i];
            v2[i] = beta2 * v[i] + (1 - beta2) * grad[i] * grad[i];
            p2[i] = p - lr / bc1 * m2[i] / (Math.sqrt(v2[i]) / Math.sqrt(bc2) + eps);
        }
        return new AdamWState(p2, m2, v2);
    }
}
