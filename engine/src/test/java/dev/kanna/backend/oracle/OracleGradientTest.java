/*
 * Finite-difference checks of every oracle backward against its own forward, in double precision on
 * tiny shapes (see GradCheck for the step and error budget). Tolerance everywhere: |Δ| ≤ 1e-6 +
 * 1e-6·|g|, about a thousand times the finite-difference error and far below what a wrong or missing
 * term would cost (those are of the order of the gradient itself).
 */
package dev.kanna.backend.oracle;

import dev.kanna.backend.Activation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Random;

import static dev.kanna.backend.oracle.GradCheck.numericGradient;

class OracleGradientTest {
    private static final double TOL = 1e-6;   // abs and rel; see the header

    private final Random random = new Random(42);

    private double[] randn(int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) x[i] = random.nextGaussian();
        return x;
    }

    private static void check(String what, double[] analytic, double[] numeric) {
        Close.assertClose(what, numeric, analytic, TOL, TOL);
    }

    @Test
    void linear() {
        int n = 3, in = 4, out = 5;
        double[] x = randn(n * in), w = randn(out * in), b = randn(out), g = randn(n * out);
        Oracles.LinearGrads grads = Oracles.linearBackward(g, x, w, n, in, out);
        check("dIn", grads.dIn(), numericGradient(v -> Oracles.linear(v, w, b, n, in, out), x, g));
        check("dWeight", grads.dWeight(), numericGradient(v -> Oracles.linear(x, v, b, n, in, out), w, g));
        check("dBias", grads.dBias(), numericGradient(v -> Oracles.linear(x, w, v, n, in, out), b, g));
    }

    @ParameterizedTest
    @EnumSource(Activation.class)
    void activation(Activation act) {
        double[] x = randn(40), g = randn(40);
        for (int i = 0; i < x.length; i++) {
            if (Math.abs(x[i]) < 1e-3) x[i] += 0.1;   // keep ReLU's kink out of the difference stencil
        }
        x[0] = 4.5;    // GELU's tails, where erf and tanh saturate
        x[1] = -5.2;
        check(act + " dIn", Oracles.activationBackward(g, x, act), numericGradient(v -> Oracles.activation(v, act), x, g));
    }

    @Test
    void dropout() {
        double[] x = randn(64), g = randn(64);
        check("dIn", Oracles.dropoutBackward(g, 0.3f, 7), numericGradient(v -> Oracles.dropout(v, 0.3f, 7), x, g));
    }

    @Test
    void layerNorm() {
        int n = 3, c = 6;
        double eps = 1e-5;
        double[] x = randn(n * c), w = randn(c), b = randn(c), g = randn(n * c);
        for (int k = 0; k < c; k++) x[k] = 3 + 0.01 * x[k];   // a row with small variance: eps matters
        Oracles.LayerNormGrads grads = Oracles.layerNormBackward(g, x, w, n, c, eps);
        check("dIn", grads.dIn(), numericGradient(v -> Oracles.layerNorm(v, w, b, n, c, eps).out(), x, g));
        check("dWeight", grads.dWeight(), numericGradient(v -> Oracles.layerNorm(x, v, b, n, c, eps).out(), w, g));
        check("dBias", grads.dBias(), numericGradient(v -> Oracles.layerNorm(x, w, v, n, c, eps).out(), b, g));
    }

    @Test
    void embedding() {
        int b = 2, t = 3, c = 4, vocab = 5, positions = 4, types = 2;
        int[] ids = {1, 4, 1, 0, 1, 3};      // token 1 repeats: its gradient rows add up
        int[] typeIds = {0, 0, 1, 1, 1, 0};
        double[] word = randn(vocab * c), pos = randn(positions * c), type = randn(types * c), g = randn(b * t * c);
        Oracles.EmbeddingGrads grads = Oracles.embeddingBackward(g, ids, typeIds, vocab, positions, types, b, t, c);
        check("dWord", grads.dWord(),
                numericGradient(v -> Oracles.embedding(ids, typeIds, v, pos, type, b, t, c), word, g));
        check("dPosition", grads.dPosition(),
                numericGradient(v -> Oracles.embedding(ids, typeIds, word, v, type, b, t, c), pos, g));
        check("dTokenType", grads.dTokenType(),
                numericGradient(v -> Oracles.embedding(ids, typeIds, word, pos, v, b, t, c), type, g));
    }

    @Test
    void gatherRowsBackwardIsScatterAdd() {
        int rowsIn = 5, c = 3;
        int[] rows = {0, 3, 3, 4};
        double[] x = randn(rowsIn * c), g = randn(rows.length * c);
        check("dIn", Oracles.scatterAddRows(g, rows, rowsIn, c),
                numericGradient(v -> Oracles.gatherRows(v, rows, c), x, g));
    }

    @Test
    void attentionWithPaddingMask() {
        attention(0f);
    }

    @Test
    void attentionWithPaddingMaskAndDropout() {
        attention(0.25f);
    }

    private void attention(float p) {
        int b = 2, t = 4, heads = 2, c = 6;
        double[] qkv = randn(b * t * 3 * c), g = randn(b * t * c);
        // Sequence 1 has one padded position, with the bias transformers uses (float32's most negative).
        double[] mask = {0, 0, 0, 0, 0, 0, 0, -Float.MAX_VALUE};
        double[] analytic = Oracles.attentionBackward(g, qkv, mask, b, t, c, heads, p, 11);
        double[] numeric = numericGradient(v -> Oracles.attention(v, mask, b, t, c, heads, p, 11).out(), qkv, g);
        check("dQkv", analytic, numeric);
        // The padded key gets no gradient: its probability is exactly 0.
        for (int d = 0; d < c; d++) {
            if (analytic[(t + 3) * 3 * c + c + d] != 0) throw new AssertionError("padded key has a gradient");
        }
    }

    @Test
    void crossEntropyWithWeightsSmoothingAndIgnoredLabels() {
        int n = 4, k = 3;
        double[] logits = randn(n * k), w = {0.5, 2.0, 1.25}, ones = {1, 1, 1};
        int[] labels = {2, -100, 0, 1};
        double smoothing = 0.1, gradScale = 0.37;
        double[] g = new double[n];
        java.util.Arrays.fill(g, gradScale);   // dLogits is gradScale · ∂lossₙ/∂logits
        for (double[] weights : new double[][]{w, ones, null}) {
            for (double eps : new double[]{0, smoothing}) {
                double[] analytic = Oracles.crossEntropy(logits, labels, weights, n, k, eps, gradScale).dLogits();
                double[] numeric = numericGradient(
                        v -> Oracles.crossEntropy(v, labels, weights, n, k, eps, gradScale).losses(), logits, g);
                check("dLogits (weights " + java.util.Arrays.toString(weights) + ", ε " + eps + ")", analytic, numeric);
            }
        }
    }
}
