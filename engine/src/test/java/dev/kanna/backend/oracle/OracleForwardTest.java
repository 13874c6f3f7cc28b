/*
 * The oracles' forwards against values known independently of them: closed forms and textbook
 * identities (a LayerNorm row has mean 0 and variance 1 before the affine; a softmax row sums to 1;
 * cross-entropy of uniform logits is log K; AdamW's first step moves each weight by lr·sign(g)).
 */
package dev.kanna.backend.oracle;

import dev.kanna.backend.Activation;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class OracleForwardTest {

    @Test
    void linearSmallExample() {
        // [1 2; 3 4] · [5 6; 7 8]ᵀ + [1, -1] = [17+1 23-1; 39+1 53-1]
        double[] out = Oracles.linear(new double[]{1, 2, 3, 4}, new double[]{5, 6, 7, 8}, new double[]{1, -1}, 2, 2, 2);
        Close.assertClose("out", new double[]{18, 22, 40, 52}, out, 0, 0);
    }

    @Test
    void activationsAtKnownPoints() {
        // GELU(1) = Φ(1) = 0.8413447460685429 (standard normal CDF at 1, published tables); GELU(-x) = GELU(x) − x.
        assertEquals(0.8413447460685429, Oracles.activation(Activation.GELU_ERF, 1), 1e-15);
        assertEquals(0.8413447460685429 - 1, Oracles.activation(Activation.GELU_ERF, -1), 1e-15);
        // tanh approximation at 1: 0.5·(1 + tanh(√(2/π)·1.044715)).
        assertEquals(0.5 * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * 1.044715)), Oracles.activation(Activation.GELU_TANH, 1), 1e-15);
        assertEquals(0, Oracles.activation(Activation.RELU, -2));
        assertEquals(Math.tanh(0.5), Oracles.activation(Activation.TANH, 0.5));
    }

    @Test
    void layerNormNormalises() {
        double[] x = {1, 2, 3, 4, -10, 0, 10, 20};
        Oracles.LayerNormResult r = Oracles.layerNorm(x, new double[]{1, 1, 1, 1}, new double[4], 2, 4, 0);
        for (int row = 0; row < 2; row++) {
            double mean = 0, var = 0;
            for (int k = 0; k < 4; k++) mean += r.out()[row * 4 + k] / 4;
            for (int k = 0; k < 4; k++) var += Math.pow(r.out()[row * 4 + k] - mean, 2) / 4;
            assertEquals(0, mean, 1e-15);
            assertEquals(1, var, 1e-14);
        }
        assertEquals(2.5, r.mean()[0], 0);
        assertEquals(1 / Math.sqrt(1.25), r.rstd()[0], 1e-15);
    }

    @Test
    void softmaxRowsSumToOne() {
        double[] p = Oracles.softmax(new double[]{1000, 1000, 0, Math.log(3)}, 2, 2);
        Close.assertClose("softmax", new double[]{0.5, 0.5, 0.25, 0.75}, p, 1e-15, 0);
    }

    @Test
    void crossEntropyOfUniformLogitsIsLogK() {
        double[] logits = new double[2 * 5];
        Oracles.CrossEntropyResult r = Oracles.crossEntropy(logits, new int[]{3, -1}, null, 2, 5, 0.2, 1);
        assertEquals(Math.log(5), r.losses()[0], 1e-15);
        assertEquals(0, r.losses()[1]);                    // ignored label: no loss, no gradient
        assertEquals(0.2 - 0.84, r.dLogits()[3], 1e-15);   // p − q, smoothed target q = (1−ε) + ε/K = 0.84
    }

    @Test
    void adamwFirstStepMovesByLearningRate() {
        // Step 1: m̂ = g and v̂ = g², so the update is lr·g/(|g| + eps) ≈ lr·sign(g), after decay.
        Oracles.AdamWState s = Oracles.adamw(new double[]{1, 1}, new double[]{0.5, -2}, new double[2], new double[2],
                0.1, 0.9, 0.999, 0, 0.01, 1);
        assertEquals(1 * (1 - 0.1 * 0.01) - 0.1, s.param()[0], 1e-15);
        assertEquals(1 * (1 - 0.1 * 0.01) + 0.1, s.param()[1], 1e-15);
        assertEquals(0.05, s.m()[0], 1e-16);
        assertEquals(0.004, s.v()[1], 1e-16);
    }

    @Test
    void attentionWithOneKeyCopiesItsValue() {
        // T = 1: the only probability is 1, so out = V.
        double[] qkv = {1, 2, 3, 4, 5, 6};          // B=1, T=1, C=2, one head: q=(1,2) k=(3,4) v=(5,6)
        Oracles.AttentionResult r = Oracles.attention(qkv, new double[]{0}, 1, 1, 2, 1, 0f, 0);
        Close.assertClose("out", new double[]{5, 6}, r.out(), 1e-15, 0);
        Close.assertClose("probs", new double[]{1}, r.probs(), 0, 0);
    }
}
