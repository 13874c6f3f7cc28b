/*
 * The conformance suite every Backend passes: each op, forward and backward, against its naive oracle
 * (Oracles) at odd sizes (1, 7, 33, 129, ...), with and without dropout, and the contract's details:
 * backward ops ACCUMULATE into pre-filled gradients, a null gradient output is skipped, forward ops
 * overwrite, in-place use where the javadoc allows it, and bitwise determinism.
 *
 * A backend's test extends this class and implements openBackend() (the CPU backend's CpuBackendTest;
 * the CUDA backend's tests reuse it through the engine's test-jar). Tolerances are fp32 error bounds:
 * for sums, (terms + 2)·u·Σ|terms| with u = unitRoundoff(), the classic bound for any summation order,
 * with Σ|terms| obtained by running the oracle on |inputs|; for transcendental ops a stated absolute and
 * relative error, each with its reason. A backend that computes in lower precision overrides
 * unitRoundoff() and toleranceScale().
 */
package dev.kanna.backend.oracle;

import dev.kanna.backend.Activation;
import dev.kanna.backend.Backend;
import dev.kanna.backend.Scope;
import dev.kanna.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class BackendConformance {

    protected Backend backend;
    private Scope scope;

    /** A fresh backend to test; closed after the class's tests. */
    protected abstract Backend openBackend();

    /** Unit roundoff of the backend's arithmetic: 2⁻²⁴ for fp32. */
    protected double unitRoundoff() {
        return 0x1.0p-24;
    }

    /** Multiplies every stated tolerance (1 for an fp32 backend). */
    protected double toleranceScale() {
        return 1;
    }

    @BeforeAll
    void open() {
        backend = openBackend();
    }

    @AfterAll
    void close() {
        backend.close();
    }

    @org.junit.jupiter.api.BeforeEach
    void openScope() {
        scope = backend.scope();
    }

    @org.junit.jupiter.api.AfterEach
    void closeScope() {
        scope.close();
    }

    // ---------------------------------------------------------------- helpers

    private final Random random = new Random(20240607);

    protected float[] randn(int n, double scale) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (random.nextGaussian() * scale);
        return x;
    }

    protected int[] randInts(int n, int bound) {
        int[] x = new int[n];
        for (int i = 0; i < n; i++) x[i] = random.nextInt(bound);
        return x;
    }

    protected Tensor up(float[] x, int... shape) {
        return backend.upload(x, shape);
    }

    protected float[] down(Tensor t) {
        return backend.download(t);
    }

    protected static double[] w(float[] x) {
        return Oracles.widen(x);
    }

    /** Per-element bound for a sum of `terms` products whose |terms| add up to magnitude[i]. */
    protected double[] sumBound(double[] magnitude, int terms) {
        double[] b = new double[magnitude.length];
        double g = (terms + 2) * unitRoundoff() * toleranceScale();
        for (int i = 0; i < b.length; i++) b[i] = g * magnitude[i] + Double.MIN_NORMAL;
        return b;
    }

    protected void assertWithin(String what, double[] expected, float[] actual, double[] bound) {
        Close.assertWithin(what, expected, actual, bound);
    }

    protected void assertClose(String what, double[] expected, float[] actual, double atol, double rtol) {
        Close.assertClose(what, expected, actual, atol * toleranceScale(), rtol * toleranceScale());
    }

    protected static double[] plus(float[] a, double[] b) {
        double[] s = new double[b.length];
        for (int i = 0; i < s.length; i++) s[i] = a[i] + b[i];
        return s;
    }

    protected static double[] plusAbs(float[] a, double[] b) {
        double[] s = new double[b.length];
        for (int i = 0; i < s.length; i++) s[i] = Math.abs(a[i]) + Math.abs(b[i]);
        return s;
    }

    // ---------------------------------------------------------------- memory and elementwise

    @Test
    void uploadDownloadCopyFillZeros() {
        float[] x = randn(37, 1);
        Tensor t = up(x, 37);
        assertArrayEquals(x, down(t));
        Tensor u = backend.empty(dev.kanna.tensor.DType.F32, 37);
        backend.copy(u, t);
        assertArrayEquals(x, down(u));
        backend.fill(u, 2.5f);
        float[] twos = new float[37];
        Arrays.fill(twos, 2.5f);
        assertArrayEquals(twos, down(u));
        assertArrayEquals(new float[37], down(backend.zeros(37)));
        int[] ids = randInts(11, 1000);
        assertArrayEquals(ids, backend.downloadInts(backend.upload(ids, 11)));
    }

    @ParameterizedTest
    @CsvSource({"1", "7", "33", "129", "4099"})
    void addScaleSumOfSquares(int n) {
        float[] a = randn(n, 1), b = randn(n, 1);
        Tensor ta = up(a, n), tb = up(b, n), out = backend.empty(dev.kanna.tensor.DType.F32, n);
        backend.add(out, ta, tb);
        double[] sum = plus(a, w(b));
        assertWithin("a + b", sum, down(out), sumBound(plusAbs(a, w(b)), 0));
        backend.add(ta, ta, tb);                                      // in place: out = a
        assertWithin("a += b", sum, down(ta), sumBound(plusAbs(a, w(b)), 0));
        backend.scale(tb, -0.75f);
        double[] scaled = new double[n];
        for (int i = 0; i < n; i++) scaled[i] = b[i] * -0.75;
        assertClose("scale", scaled, down(tb), 0, unitRoundoff());    // one rounding
        double expected = 0;
        for (float v : a) expected += (double) v * v;
        double ss = backend.sumOfSquares(up(a, n));
        // Accumulated in double: error ≤ n·2⁻⁵³·Σ, far below 1e-12 relative for these n.
        assertEquals(expected, ss, 1e-12 * expected);
    }

    // ---------------------------------------------------------------- linear

    @ParameterizedTest
    @CsvSource({"1,1,1", "7,33,5", "33,129,17", "129,7,33", "5,64,200", "66,384,96", "2,3,1029"})
    void linearForwardAndBackward(int n, int in, int out) {
        float[] x = randn(n * in, 1), wt = randn(out * in, 0.5), bias = randn(out, 1), g = randn(n * out, 1);
        Tensor tx = up(x, n, in), tw = up(wt, out, in), tb = up(bias, out), tOut = up(randn(n * out, 9), n, out);

        backend.linear(tOut, tx, tw, tb);
        double[] expected = Oracles.linear(w(x), w(wt), w(bias), n, in, out);
        double[] magnitude = Oracles.linear(Oracles.abs(w(x)), Oracles.abs(w(wt)), Oracles.abs(w(bias)), n, in, out);
        assertWithin("linear out", expected, down(tOut), sumBound(magnitude, in + 1));

        backend.linear(tOut, tx, tw, null);
        assertWithin("linear out without bias", Oracles.linear(w(x), w(wt), null, n, in, out), down(tOut),
                sumBound(magnitude, in));

        // Backward accumulates into pre-filled gradients.
        float[] dIn0 = randn(n * in, 1), dW0 = randn(out * in, 1), dB0 = randn(out, 1);
        Tensor dIn = up(dIn0, n, in), dW = up(dW0, out, in), dB = up(dB0, out);
        backend.linearBackward(dIn, dW, dB, up(g, n, out), tx, tw);
        Oracles.LinearGrads grads = Oracles.linearBackward(w(g), w(x), w(wt), n, in, out);
        Oracles.LinearGrads mags = Oracles.linearBackward(Oracles.abs(w(g)), Oracles.abs(w(x)), Oracles.abs(w(wt)), n, in, out);
        assertWithin("dIn", plus(dIn0, grads.dIn()), down(dIn), sumBound(plusAbs(dIn0, mags.dIn()), out + 1));
        assertWithin("dWeight", plus(dW0, grads.dWeight()), down(dW), sumBound(plusAbs(dW0, mags.dWeight()), n + 1));
        assertWithin("dBias", plus(dB0, grads.dBias()), down(dB), sumBound(plusAbs(dB0, mags.dBias()), n + 1));
    }

    @Test
    void linearBackwardSkipsNullGradients() {
        int n = 9, in = 17, out = 5;
        float[] x = randn(n * in, 1), wt = randn(out * in, 1), g = randn(n * out, 1);
        Tensor tx = up(x, n, in), tw = up(wt, out, in), tg = up(g, n, out);
        Oracles.LinearGrads grads = Oracles.linearBackward(w(g), w(x), w(wt), n, in, out);
        Oracles.LinearGrads mags = Oracles.linearBackward(Oracles.abs(w(g)), Oracles.abs(w(x)), Oracles.abs(w(wt)), n, in, out);
        Tensor dIn = backend.zeros(n, in), dW = backend.zeros(out, in), dB = backend.zeros(out);
        backend.linearBackward(dIn, null, null, tg, tx, tw);
        backend.linearBackward(null, dW, null, tg, tx, tw);
        backend.linearBackward(null, null, dB, tg, tx, tw);
        backend.linearBackward(null, null, null, tg, tx, tw);
        assertWithin("dIn alone", grads.dIn(), down(dIn), sumBound(mags.dIn(), out));
        assertWithin("dWeight alone", grads.dWeight(), down(dW), sumBound(mags.dWeight(), n));
        assertWithin("dBias alone", grads.dBias(), down(dB), sumBound(mags.dBias(), n));
    }

    /** The fused Linear + activation: the oracle's linear then activation, bounds as for each. */
    @ParameterizedTest
    @CsvSource({"1,1,1,GELU_ERF", "7,33,5,GELU_TANH", "33,129,17,GELU_ERF", "66,384,96,RELU", "5,64,200,TANH"})
    void linearActivation(int n, int in, int out, Activation act) {
        float[] x = randn(n * in, 1), wt = randn(out * in, 0.5), bias = randn(out, 1);
        Tensor tx = up(x, n, in), tw = up(wt, out, in), tb = up(bias, out);
        double[] pre = Oracles.linear(w(x), w(wt), w(bias), n, in, out);
        double[] magnitude = Oracles.linear(Oracles.abs(w(x)), Oracles.abs(w(wt)), Oracles.abs(w(bias)), n, in, out);
        double[] preBound = sumBound(magnitude, in + 1), actBound = new double[n * out];
        // act is at most 1.2-Lipschitz for these activations: the pre-activation error carries over, plus act's own.
        for (int i = 0; i < actBound.length; i++) actBound[i] = 1.2 * preBound[i] + 1e-6 * (1 + Math.abs(pre[i])) * toleranceScale();
        Tensor tOut = up(randn(n * out, 3), n, out), tPre = up(randn(n * out, 3), n, out);
        backend.linearActivation(tOut, tPre, tx, tw, tb, act);
        assertWithin("pre-activation", pre, down(tPre), preBound);
        assertWithin(act + "(linear)", Oracles.activation(pre, act), down(tOut), actBound);
        Tensor onlyOut = up(randn(n * out, 3), n, out);
        backend.linearActivation(onlyOut, null, tx, tw, tb, act);
        assertWithin(act + "(linear), no pre-activation kept", Oracles.activation(pre, act), down(onlyOut), actBound);
    }

    // ---------------------------------------------------------------- activations and dropout

    /**
     * Activations: |Δ| ≤ 1e-6·(1 + |x|)·(1 + |dOut|) + u·|pre-filled|. fp32 evaluation of x·Φ(x) loses
     * 1 + erf(x/√2) to cancellation for negative x, leaving an absolute error ~|x|·2⁻²³; 1e-6·(1 + |x|)
     * is about 8 such ulps, room for a fast vectorised erf/tanh/exp with a few ulps of its own.
     */
    @ParameterizedTest
    @EnumSource(Activation.class)
    void activationForwardAndBackward(Activation act) {
        for (int n : new int[]{1, 7, 33, 1029}) {
            float[] x = randn(n, 3);
            float[] extremes = {0f, -0f, 1e-30f, -1e-30f, 6f, -6f, 9.5f, -9.5f, 20f, -20f, 88f, -88f, 1e4f, -1e4f};
            System.arraycopy(extremes, 0, x, 0, Math.min(n, extremes.length));
            float[] g = randn(n, 1), dIn0 = randn(n, 1);
            Tensor tx = up(x, n), out = up(randn(n, 5), n);
            backend.activation(out, tx, act);
            double[] bound = new double[n], bwdBound = new double[n];
            double[] dOutBound = new double[n];
            for (int i = 0; i < n; i++) {
                bound[i] = 1e-6 * (1 + Math.abs(x[i])) * toleranceScale();
                bwdBound[i] = 1e-6 * (1 + Math.abs(x[i])) * (1 + Math.abs(g[i])) * toleranceScale()
                        + 2 * unitRoundoff() * Math.abs(dIn0[i]);
            }
            assertWithin(act + " forward n=" + n, Oracles.activation(w(x), act), down(out), bound);
            Tensor dIn = up(dIn0, n);
            backend.activationBackward(dIn, up(g, n), tx, act);
            assertWithin(act + " backward n=" + n, plus(dIn0, Oracles.activationBackward(w(g), w(x), act)), down(dIn),
                    bwdBound);
            backend.activation(tx, tx, act);                           // in place
            assertWithin(act + " in place n=" + n, Oracles.activation(w(x), act), down(tx), bound);
        }
    }

    @ParameterizedTest
    @CsvSource({"1,0.1", "7,0", "33,0.1", "1029,0.5", "4099,0.9"})
    void dropoutForwardAndBackward(int n, float p) {
        float[] x = randn(n, 1), g = randn(n, 1), dIn0 = randn(n, 1);
        long seed = 977L * n;
        Tensor tx = up(x, n), out = up(randn(n, 1), n);
        backend.dropout(out, tx, p, seed);
        // One float multiplication by a rounded 1/(1 − p): 2 ulps relative.
        assertClose("dropout forward", Oracles.dropout(w(x), p, seed), down(out), 0, 4 * unitRoundoff());
        Tensor dIn = up(dIn0, n);
        backend.dropoutBackward(dIn, up(g, n), p, seed);
        double[] expected = plus(dIn0, Oracles.dropoutBackward(w(g), p, seed));
        assertWithin("dropout backward", expected, down(dIn), sumBound(plusAbs(dIn0, Oracles.abs(Oracles.dropout(w(g), p, seed))), 2));
        backend.dropout(tx, tx, p, seed);                              // in place
        assertClose("dropout in place", Oracles.dropout(w(x), p, seed), down(tx), 0, 4 * unitRoundoff());
    }

    @Test
    void dropoutDropsAboutP() {
        int n = 100_000;
        float[] ones = new float[n];
        Arrays.fill(ones, 1f);
        Tensor out = backend.empty(dev.kanna.tensor.DType.F32, n);
        backend.dropout(out, up(ones, n), 0.1f, 123);
        int dropped = 0;
        for (float v : down(out)) if (v == 0f) dropped++;
        // Binomial(1e5, 0.1): standard deviation ≈ 95; 6 sigma ≈ 570.
        assertEquals(10_000, dropped, 600);
    }

    // ---------------------------------------------------------------- layer norm

    /**
     * LayerNorm: |Δ| ≤ 2e-5·(|w|·(1 + |x̂|) + |b|)·scale-free. The statistics of C ≤ 769 fp32 values
     * carry a relative error of at most ~C·u ≈ 5e-5 in the worst case and ~√C·u ≈ 2e-6 typically; a
     * row with mean 50 and standard deviation 1 checks the mean is taken without cancellation.
     */
    @ParameterizedTest
    @CsvSource({"1,1,1e-5", "7,33,1e-12", "33,384,1e-12", "5,129,1e-5", "3,769,1e-12"})
    void layerNormForwardAndBackward(int n, int c, float eps) {
        float[] x = randn(n * c, 1), wt = randn(c, 1), b = randn(c, 1), g = randn(n * c, 1);
        for (int k = 0; k < c; k++) x[k] += 50;                        // row 0: large mean, unit variance
        Tensor tx = up(x, n, c), tw = up(wt, c), tb = up(b, c);
        Tensor out = up(randn(n * c, 1), n, c), mean = backend.empty(dev.kanna.tensor.DType.F32, n),
                rstd = backend.empty(dev.kanna.tensor.DType.F32, n);
        backend.layerNorm(out, mean, rstd, tx, tw, tb, eps);
        Oracles.LayerNormResult ref = Oracles.layerNorm(w(x), w(wt), w(b), n, c, eps);
        double[] bound = new double[n * c];
        for (int r = 0; r < n; r++) {
            for (int k = 0; k < c; k++) {
                double xhat = (x[r * c + k] - ref.mean()[r]) * ref.rstd()[r];
                bound[r * c + k] = 2e-5 * toleranceScale() * (Math.abs(wt[k]) * (1 + Math.abs(xhat)) + Math.abs(b[k]));
            }
        }
        assertWithin("layerNorm out", ref.out(), down(out), bound);
        assertClose("layerNorm mean", ref.mean(), down(mean), 2e-5, 2e-6);
        assertClose("layerNorm rstd", ref.rstd(), down(rstd), 0, 2e-5);
        if (c == 1) return;   // a single column has zero variance: rstd = 1/√eps, gradients degenerate

        float[] dIn0 = randn(n * c, 1), dW0 = randn(c, 1), dB0 = randn(c, 1);
        Tensor dIn = up(dIn0, n, c), dW = up(dW0, c), dB = up(dB0, c);
        backend.layerNormBackward(dIn, dW, dB, up(g, n, c), tx, tw, mean, rstd);
        Oracles.LayerNormGrads grads = Oracles.layerNormBackward(w(g), w(x), w(wt), n, c, eps);
        // dIn is a difference of O(|g·w|) terms; the statistics' relative error above carries over.
        double[] dInBound = new double[n * c];
        for (int i = 0; i < n * c; i++) {
            dInBound[i] = 5e-5 * toleranceScale() * ref.rstd()[i / c] * (1 + Math.abs(g[i] * wt[i % c]))
                    + 2 * unitRoundoff() * Math.abs(dIn0[i]);
        }
        assertWithin("layerNorm dIn", plus(dIn0, grads.dIn()), down(dIn), dInBound);
        double[] magW = new double[c], magB = new double[c];
        for (int r = 0; r < n; r++) {
            for (int k = 0; k < c; k++) {
                double xhat = (x[r * c + k] - ref.mean()[r]) * ref.rstd()[r];
                magW[k] += Math.abs(g[r * c + k]) * (1 + Math.abs(xhat));
                magB[k] += Math.abs(g[r * c + k]);
            }
        }
        double[] dWBound = new double[c], dBBound = sumBound(plusAbs(dB0, magB), n + 1);
        for (int k = 0; k < c; k++) dWBound[k] = 2e-5 * toleranceScale() * magW[k] + 2 * unitRoundoff() * Math.abs(dW0[k]);
        assertWithin("layerNorm dWeight", plus(dW0, grads.dWeight()), down(dW), dWBound);
        assertWithin("layerNorm dBias", plus(dB0, grads.dBias()), down(dB), dBBound);

        Tensor dInOnly = backend.zeros(n, c);
        backend.layerNormBackward(dInOnly, null, null, up(g, n, c), tx, tw, mean, rstd);
        assertWithin("layerNorm dIn alone", grads.dIn(), down(dInOnly), dInBound);
    }

    /** The fused residual + LayerNorm: the oracle's LayerNorm of a + b (tolerances as for layerNorm). */
    @ParameterizedTest
    @CsvSource({"1,1", "7,33", "33,384", "3,769"})
    void addLayerNorm(int n, int c) {
        float[] a = randn(n * c, 1), b = randn(n * c, 1), wt = randn(c, 1), bias = randn(c, 1);
        double[] x = plus(a, w(b));
        Oracles.LayerNormResult ref = Oracles.layerNorm(x, w(wt), w(bias), n, c, 1e-12);
        double[] bound = new double[n * c];
        for (int r = 0; r < n; r++) {
            for (int k = 0; k < c; k++) {
                double xhat = (x[r * c + k] - ref.mean()[r]) * ref.rstd()[r];
                bound[r * c + k] = 2e-5 * toleranceScale() * (Math.abs(wt[k]) * (1 + Math.abs(xhat)) + Math.abs(bias[k]));
            }
        }
        Tensor out = up(randn(n * c, 1), n, c), sum = up(randn(n * c, 1), n, c);
        Tensor mean = backend.empty(dev.kanna.tensor.DType.F32, n), rstd = backend.empty(dev.kanna.tensor.DType.F32, n);
        backend.addLayerNorm(out, sum, mean, rstd, up(a, n, c), up(b, n, c), up(wt, c), up(bias, c), 1e-12f);
        assertWithin("LayerNorm(a + b)", ref.out(), down(out), bound);
        assertWithin("a + b", x, down(sum), sumBound(plusAbs(a, w(b)), 0));
        assertClose("mean", ref.mean(), down(mean), 2e-5, 2e-6);
        assertClose("rstd", ref.rstd(), down(rstd), 0, 2e-5);
        Tensor outOnly = up(randn(n * c, 1), n, c);
        backend.addLayerNorm(outOnly, null, null, null, up(a, n, c), up(b, n, c), up(wt, c), up(bias, c), 1e-12f);
        assertWithin("LayerNorm(a + b) without sum", ref.out(), down(outOnly), bound);
    }

    // ---------------------------------------------------------------- embeddings and gathers

    @ParameterizedTest
    @CsvSource({"1,1,1", "2,7,33", "3,33,16", "1,129,8"})
    void embeddingForwardAndBackward(int b, int t, int c) {
        int vocab = 11, positions = t + 3, types = 2;
        int[] ids = randInts(b * t, vocab), typeIds = randInts(b * t, types);
        ids[0] = vocab - 1;
        float[] word = randn(vocab * c, 1), pos = randn(positions * c, 1), type = randn(types * c, 1);
        Tensor out = up(randn(b * t * c, 1), b, t, c), tIds = backend.upload(ids, b, t), tTypes = backend.upload(typeIds, b, t);
        backend.embedding(out, tIds, tTypes, up(word, vocab, c), up(pos, positions, c), up(type, types, c));
        double[] expected = Oracles.embedding(ids, typeIds, w(word), w(pos), w(type), b, t, c);
        double[] mag = Oracles.embedding(ids, typeIds, Oracles.abs(w(word)), Oracles.abs(w(pos)), Oracles.abs(w(type)), b, t, c);
        assertWithin("embedding", expected, down(out), sumBound(mag, 3));

        float[] g = randn(b * t * c, 1), dW0 = randn(vocab * c, 1), dP0 = randn(positions * c, 1), dT0 = randn(types * c, 1);
        Tensor dW = up(dW0, vocab, c), dP = up(dP0, positions, c), dT = up(dT0, types, c);
        backend.embeddingBackward(dW, dP, dT, up(g, b, t, c), tIds, tTypes);
        Oracles.EmbeddingGrads grads = Oracles.embeddingBackward(w(g), ids, typeIds, vocab, positions, types, b, t, c);
        Oracles.EmbeddingGrads mags = Oracles.embeddingBackward(Oracles.abs(w(g)), ids, typeIds, vocab, positions, types, b, t, c);
        int rows = b * t;
        assertWithin("dWord", plus(dW0, grads.dWord()), down(dW), sumBound(plusAbs(dW0, mags.dWord()), rows + 1));
        assertWithin("dPosition", plus(dP0, grads.dPosition()), down(dP), sumBound(plusAbs(dP0, mags.dPosition()), rows + 1));
        assertWithin("dTokenType", plus(dT0, grads.dTokenType()), down(dT), sumBound(plusAbs(dT0, mags.dTokenType()), rows + 1));

        Tensor dWOnly = backend.zeros(vocab, c);
        backend.embeddingBackward(dWOnly, null, null, up(g, b, t, c), tIds, tTypes);
        assertWithin("dWord alone", grads.dWord(), down(dWOnly), sumBound(mags.dWord(), rows));
    }

    @Test
    void gatherAndScatterAddRows() {
        int inRows = 13, c = 33;
        int[] rows = {0, 12, 5, 5, 7};
        float[] x = randn(inRows * c, 1), g = randn(rows.length * c, 1), dIn0 = randn(inRows * c, 1);
        Tensor out = up(randn(rows.length * c, 1), rows.length, c), tRows = backend.upload(rows, rows.length);
        backend.gatherRows(out, up(x, inRows, c), tRows);
        assertClose("gatherRows", Oracles.gatherRows(w(x), rows, c), down(out), 0, 0);
        Tensor dIn = up(dIn0, inRows, c);
        backend.scatterAddRows(dIn, up(g, rows.length, c), tRows);
        double[] expected = plus(dIn0, Oracles.scatterAddRows(w(g), rows, inRows, c));
        double[] mag = plusAbs(dIn0, Oracles.scatterAddRows(Oracles.abs(w(g)), rows, inRows, c));
        assertWithin("scatterAddRows", expected, down(dIn), sumBound(mag, rows.length + 1));
    }

    // ---------------------------------------------------------------- attention

    /**
     * Attention, inputs ~N(0, 1): |Δ| ≤ 2e-5·(1 + |expected|). A score is a dot product of hs ≤ 64 terms
     * scaled by 1/√hs: absolute error ≲ hs·u·Σ|q·k|/√hs ≈ 4e-6 worst case here, which becomes a relative
     * error of each probability; exp and the row sum add ~T·u; out sums T probabilities times |v| ≲ 4.
     * The backward chains three more such products: 5e-5.
     */
    @ParameterizedTest
    @CsvSource({"1,1,1,1,0", "2,7,3,5,0", "2,7,3,5,0.1", "3,33,2,16,0", "2,33,2,16,0.2", "1,129,4,32,0",
            "2,129,2,64,0.1", "1,17,12,8,0"})
    void attentionForwardAndBackward(int b, int t, int heads, int hs, float p) {
        int c = heads * hs;
        float[] qkv = randn(b * t * 3 * c, 1), g = randn(b * t * c, 1), dQkv0 = randn(b * t * 3 * c, 1);
        float[] mask = new float[b * t];
        for (int bi = 1; bi < b; bi++) {
            for (int j = t - bi * t / 4; j < t; j++) mask[bi * t + j] = bi % 2 == 1 ? -Float.MAX_VALUE : -10000f;
        }
        long seed = 31L * t + heads;
        Tensor tq = up(qkv, b, t, 3 * c), tm = up(mask, b, t), out = up(randn(b * t * c, 1), b, t, c);
        Tensor saved = backend.attention(out, tq, tm, heads, p, seed, true);
        Oracles.AttentionResult ref = Oracles.attention(w(qkv), w(mask), b, t, c, heads, p, seed);
        assertClose("attention out", ref.out(), down(out), 2e-5, 2e-5);

        Tensor outNoSave = backend.empty(dev.kanna.tensor.DType.F32, b, t, c);
        Tensor none = backend.attention(outNoSave, tq, tm, heads, p, seed, false);
        assertEquals(null, none, "attention without save returns null");
        assertClose("attention out (no save)", ref.out(), down(outNoSave), 2e-5, 2e-5);

        Tensor dQkv = up(dQkv0, b, t, 3 * c);
        backend.attentionBackward(dQkv, up(g, b, t, c), tq, tm, saved, heads, p, seed);
        double[] expected = plus(dQkv0, Oracles.attentionBackward(w(g), w(qkv), w(mask), b, t, c, heads, p, seed));
        assertClose("attention dQkv", expected, down(dQkv), 5e-5, 5e-5);
    }

    @Test
    void attentionWithAFullyPaddedSequenceIsUniformNotNaN() {
        int b = 1, t = 5, heads = 1, c = 4;
        float[] qkv = randn(b * t * 3 * c, 1), mask = new float[t];
        Arrays.fill(mask, -Float.MAX_VALUE);
        Tensor out = backend.empty(dev.kanna.tensor.DType.F32, b, t, c);
        backend.attention(out, up(qkv, b, t, 3 * c), up(mask, b, t), heads, 0f, 0, false);
        Oracles.AttentionResult ref = Oracles.attention(w(qkv), w(mask), b, t, c, heads, 0f, 0);
        assertClose("attention out", ref.out(), down(out), 2e-5, 2e-5);
    }

    // ---------------------------------------------------------------- softmax and cross-entropy

    /** Softmax: exp and a sum of K terms, each to a few ulps: 1e-6 absolute on values ≤ 1, 1e-5 relative. */
    @ParameterizedTest
    @CsvSource({"1,1", "7,2", "33,7", "3,129", "2,1029"})
    void softmax(int n, int k) {
        float[] x = randn(n * k, 4);
        x[0] = 80f;                                                     // exp would overflow without the max shift
        Tensor out = up(randn(n * k, 1), n, k);
        backend.softmax(out, up(x, n, k));
        assertClose("softmax", Oracles.softmax(w(x), n, k), down(out), 1e-6, 1e-5);
    }

    /**
     * Cross-entropy: losses to 1e-5·(1 + |loss|) (a log-sum-exp of K terms); dLogits to 2e-6·gradScale·
     * max(w) absolute plus 1e-5 relative (each is a weighted p − target, with p to a few ulps). The
     * pre-filled dLogits must be overwritten, not accumulated into.
     */
    @ParameterizedTest
    @CsvSource({"1,2,false,0", "33,7,true,0", "33,7,true,0.1", "7,2,false,0.1", "3,1029,true,0.05", "5,30522,false,0"})
    void crossEntropy(int n, int k, boolean weighted, float smoothing) {
        float[] logits = randn(n * k, 3), weights = weighted ? new float[k] : null;
        if (weighted) for (int j = 0; j < k; j++) weights[j] = 0.25f + random.nextInt(8) * 0.25f;
        int[] labels = randInts(n, k);
        if (n > 2) labels[1] = -100;                                   // ignored
        float gradScale = 1f / n;
        Tensor losses = up(randn(n, 1), n), dLogits = up(randn(n * k, 1), n, k);
        backend.crossEntropy(losses, dLogits, up(logits, n, k), backend.upload(labels, n),
                weighted ? up(weights, k) : null, smoothing, gradScale);
        Oracles.CrossEntropyResult ref = Oracles.crossEntropy(w(logits), labels, weighted ? w(weights) : null, n, k,
                smoothing, gradScale);
        double maxWeight = weighted ? 2 : 1;
        assertClose("losses", ref.losses(), down(losses), 1e-5, 1e-5);
        assertClose("dLogits", ref.dLogits(), down(dLogits), 2e-6 * gradScale * maxWeight, 1e-5);
        Tensor lossesOnly = backend.empty(dev.kanna.tensor.DType.F32, n);
        backend.crossEntropy(lossesOnly, null, up(logits, n, k), backend.upload(labels, n),
                weighted ? up(weights, k) : null, smoothing, gradScale);
        assertClose("losses without dLogits", ref.losses(), down(lossesOnly), 1e-5, 1e-5);
    }

    // ---------------------------------------------------------------- optimizer

    /**
     * AdamW in fp32 with torch's operation order against the double-precision formula: each of the ~10
     * float operations adds a relative 2⁻²⁴; the parameter moves by ≤ lr·(1 + 1e-2), so |Δparam| ≤
     * 1e-6·|param| + 1e-5·lr; m to 4u·(|m| + |g|) (its lerp rounds g − m), v to 1e-6 relative.
     */
    @ParameterizedTest
    @CsvSource({"1,1,0", "7,1,0.01", "33,10,0", "1029,3,0.01", "4099,1000,0.1"})
    void adamw(int n, long step, double weightDecay) {
        float[] param = randn(n, 1), grad = randn(n, 1e-2), m = randn(n, 1e-3), v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (1e-5 * random.nextDouble());
        double lr = 2e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
        Tensor tp = up(param, n), tm = up(m, n), tv = up(v, n);
        backend.adamw(tp, up(grad, n), tm, tv, lr, beta1, beta2, eps, weightDecay, step);
        Oracles.AdamWState ref = Oracles.adamw(w(param), w(grad), w(m), w(v), lr, beta1, beta2, eps, weightDecay, step);
        assertClose("param", ref.param(), down(tp), 1e-5 * lr, 1e-6);
        double[] mBound = new double[n];   // m + (1 − β1)·(g − m): the difference rounds relative to |g| + |m|
        for (int i = 0; i < n; i++) mBound[i] = 4 * unitRoundoff() * toleranceScale() * (Math.abs(m[i]) + Math.abs(grad[i]));
        assertWithin("m", ref.m(), down(tm), mBound);
        assertClose("v", ref.v(), down(tv), 1e-15, 1e-6);
    }

    // ---------------------------------------------------------------- determinism

    /** The same inputs twice give bitwise the same outputs, for every op with a reduction or threads. */
    @Test
    void deterministic() {
        int b = 2, t = 33, heads = 3, hs = 16, c = heads * hs, n = b * t, ff = 129;
        float[] x = randn(n * c, 1), wt = randn(ff * c, 0.3), qkv = randn(n * 3 * c, 1), g = randn(n * c, 1),
                gf = randn(n * ff, 1);
        float[] mask = new float[n];
        mask[n - 1] = -10000f;
        float[][] first = null;
        for (int run = 0; run < 2; run++) {
            try (Scope s = backend.scope()) {
                Tensor h = backend.empty(dev.kanna.tensor.DType.F32, n, ff);
                backend.linear(h, up(x, n, c), up(wt, ff, c), null);
                Tensor dIn = backend.zeros(n, c), dW = backend.zeros(ff, c), dB = backend.zeros(ff);
                backend.linearBackward(dIn, dW, dB, up(gf, n, ff), up(x, n, c), up(wt, ff, c));
                Tensor att = backend.empty(dev.kanna.tensor.DType.F32, b, t, c), tq = up(qkv, b, t, 3 * c), tm = up(mask, b, t);
                Tensor saved = backend.attention(att, tq, tm, heads, 0.1f, 5, true);
                Tensor dQkv = backend.zeros(b, t, 3 * c);
                backend.attentionBackward(dQkv, up(g, b, t, c), tq, tm, saved, heads, 0.1f, 5);
                Tensor ln = backend.empty(dev.kanna.tensor.DType.F32, n, c), mean = backend.empty(dev.kanna.tensor.DType.F32, n),
                        rstd = backend.empty(dev.kanna.tensor.DType.F32, n);
                float[] ones = new float[c];
                Arrays.fill(ones, 1f);
                backend.layerNorm(ln, mean, rstd, up(x, n, c), up(ones, c), up(new float[c], c), 1e-12f);
                Tensor dLn = backend.zeros(n, c), dLw = backend.zeros(c), dLb = backend.zeros(c);
                backend.layerNormBackward(dLn, dLw, dLb, up(g, n, c), up(x, n, c), up(ones, c), mean, rstd);
                float[][] results = {down(h), down(dIn), down(dW), down(dB), down(att), down(dQkv), down(ln), down(dLn),
                        down(dLw), down(dLb)};
                if (first == null) {
                    first = results;
                } else {
                    for (int i = 0; i < results.length; i++) Close.assertBitwise("result " + i, first[i], results[i]);
                }
            }
        }
        assertTrue(first != null);
    }

    /**
     * Results do not change as the code warms up (interpreted, then JIT-compiled): a reduction whose
     * order differs between the two (Vector API reduceLanes does) would break reproducibility.
     */
    @Test
    void resultsDoNotChangeWithWarmUp() {
        int b = 2, t = 9, heads = 2, hs = 8, c = heads * hs, n = b * t;
        float[] x = randn(n * c, 1), wt = randn(c * c, 0.3), qkv = randn(n * 3 * c, 1), g = randn(n * c, 1);
        float[] ones = new float[c];
        Arrays.fill(ones, 1f);
        float[][] first = null;
        for (int run = 0; run < 300; run++) {
            try (Scope s = backend.scope()) {
                Tensor h = backend.empty(dev.kanna.tensor.DType.F32, n, c), tx = up(x, n, c), tw = up(wt, c, c);
                backend.linear(h, tx, tw, null);
                Tensor dW = backend.zeros(c, c);
                backend.linearBackward(null, dW, null, up(g, n, c), tx, tw);
                Tensor att = backend.empty(dev.kanna.tensor.DType.F32, b, t, c), tq = up(qkv, b, t, 3 * c);
                Tensor saved = backend.attention(att, tq, up(new float[n], b, t), heads, 0f, 0, true);
                Tensor dQkv = backend.zeros(b, t, 3 * c);
                backend.attentionBackward(dQkv, up(g, b, t, c), tq, up(new float[n], b, t), saved, heads, 0f, 0);
                Tensor ln = backend.empty(dev.kanna.tensor.DType.F32, n, c);
                backend.layerNorm(ln, null, null, tx, up(ones, c), up(new float[c], c), 1e-12f);
                Tensor act = backend.empty(dev.kanna.tensor.DType.F32, n, c);
                backend.activation(act, tx, Activation.GELU_ERF);
                Tensor sm = backend.empty(dev.kanna.tensor.DType.F32, n, c);
                backend.softmax(sm, tx);
                float[][] results = {down(h), down(dW), down(att), down(dQkv), down(ln), down(act), down(sm)};
                if (first == null) {
                    first = results;
                } else {
                    for (int i = 0; i < results.length; i++) Close.assertBitwise("run " + run + " result " + i, first[i], results[i]);
                }
            }
        }
    }
}
