/*
 * Elementwise activations, forward and backward, on vectors with VectorMath's erf, tanh and exp; the
 * scalar tails use VectorMath's scalar twins and the same operation order, so every element gets the
 * same bits wherever it sits. Formulas (x the pre-activation):
 *   GELU_ERF   y = ½x(1 + erf(x/√2))                 y' = ½(1 + erf(x/√2)) + x·e^{−x²/2}/√(2π)
 *   GELU_TANH  y = ½x(1 + tanh(u)), u = √(2/π)(x + 0.044715x³)
 *              y' = ½(1 + tanh u) + ½x(1 − tanh²u)·√(2/π)(1 + 3·0.044715x²)
 *   RELU       y = max(x, 0)                          y' = [x > 0]
 *   TANH       y = tanh x                             y' = 1 − tanh²x
 */
package dev.kanna.backend.cpu;

import dev.kanna.backend.Activation;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

final class Activations {
    private static final VectorSpecies<Float> F = VectorOps.F;
    private static final int LANES = VectorOps.LANES;
    private static final float SQRT_HALF = 0.70710678f, INV_SQRT_2PI = 0.39894228f, SQRT_2_OVER_PI = 0.79788456f;
    private static final float GELU_C = 0.044715f, GELU_3C = 3 * 0.044715f;

    private Activations() {
    }

    /*
     * One loop per activation, with the switch outside it: a single loop over a switch of vector
     * formulas grows past the JIT's inlining limits once two activations have run (GELU in the
     * layers, tanh in the pooler), and then every FloatVector crossing the call is boxed on the heap
     * (tens of MB per call at MiniLM shapes).
     */

    /** out[i] = act(x[i]) for i in [from, to) (out may be x). */
    static void forward(Activation act, float[] x, float[] out, int from, int to) {
        int i = switch (act) {
            case GELU_ERF -> geluErfForward(x, out, from, to);
            case GELU_TANH -> geluTanhForward(x, out, from, to);
            case RELU -> reluForward(x, out, from, to);
            case TANH -> tanhForward(x, out, from, to);
        };
        for (; i < to; i++) out[i] = forward(act, x[i]);
    }

    /** dx[i] += act'(x[i])·dy[i] for i in [from, to). */
    static void backward(Activation act, float[] x, float[] dy, float[] dx, int from, int to) {
        int i = switch (act) {
            case GELU_ERF -> geluErfBackward(x, dy, dx, from, to);
            case GELU_TANH -> geluTanhBackward(x, dy, dx, from, to);
            case RELU -> reluBackward(x, dy, dx, from, to);
            case TANH -> tanhBackward(x, dy, dx, from, to);
        };
        for (; i < to; i++) dx[i] = Math.fma(derivative(act, x[i]), dy[i], dx[i]);
    }

    // Vector loops: each covers whole vectors from `from` and returns where the scalar tail starts.

    private static int geluErfForward(float[] x, float[] out, int from, int to) {
        int i = from;
        for (; i <= to - LANES; i += LANES) {
            FloatVector v = FloatVector.fromArray(F, x, i);
            v.mul(0.5f).mul(VectorMath.erf(v.mul(SQRT_HALF)).add(1f)).intoArray(out, i);
        }
        return i;
    }

    private static int geluTanhForward(float[] x, float[] out, int from, int to) {
        int i = from;
        for (; i <= to - LANES; i += LANES) {
            FloatVector v = FloatVector.fromArray(F, x, i);
            v.mul(0.5f).mul(VectorMath.tanh(tanhArgument(v)).add(1f)).intoArray(out, i);
        }
        return i;
    }

    private static int reluForward(float[] x, float[] out, int from, int to) {
        int i = from;
        for (; i <= to - LANES; i += LANES) FloatVector.fromArray(F, x, i).max(0f).intoArray(out, i);
        return i;
    }

    private static int tanhForward(float[] x, float[] out, int from, int to) {
        int i = from;
        for (; i <= to - LANES; i += LANES) VectorMath.tanh(FloatVector.fromArray(F, x, i)).intoArray(out, i);
        return i;
    }

    private static int geluErfBackward(float[] x, float[] dy, float[] dx, int from, int to) {
        int i = from;
        for (; i <= to - LANES; i += LANES) {
            FloatVector v = FloatVector.fromArray(F, x, i);
            FloatVector cdf = VectorMath.erf(v.mul(SQRT_HALF)).add(1f).mul(0.5f);
            FloatVector pdf = VectorMath.exp(v.mul(v).mul(-0.5f)).mul(INV_SQRT_2PI);
            v.fma(pdf, cdf).fma(FloatVector.fromArray(F, dy, i), FloatVector.fromArray(F, dx, i)).intoArray(dx, i);
        }
        return i;
    }

    private static int geluTanhBackward(float[] x, float[] dy, float[] dx, int from, int to) {
        FloatVector one = FloatVector.broadcast(F, 1f), c3 = FloatVector.broadcast(F, GELU_3C);
        int i = from;
        for (; i <= to - LANES; i += LANES) {
            FloatVector v = FloatVector.fromArray(F, x, i);
            FloatVector th = VectorMath.tanh(tanhArgument(v));
            FloatVector du = v.mul(v).fma(c3, one).mul(SQRT_2_OVER_PI);
            FloatVector sech2 = th.neg().fma(th, one);
            FloatVector d = v.mul(0.5f).mul(sech2).fma(du, th.add(1f).mul(0.5f));
            d.fma(FloatVector.fromArray(F, dy, i), FloatVector.fromArray(F, dx, i)).intoArray(dx, i);
        }
        return i;
    }

    private static int reluBackward(float[] x, float[] dy, float[] dx, int from, int to) {
        FloatVector one = FloatVector.broadcast(F, 1f);
        int i = from;
        for (; i <= to - LANES; i += LANES) {
            FloatVector d = one.blend(0f, FloatVector.fromArray(F, x, i).compare(VectorOperators.LE, 0f));
            d.fma(FloatVector.fromArray(F, dy, i), FloatVector.fromArray(F, dx, i)).intoArray(dx, i);
        }
        return i;
    }

    private static int tanhBackward(float[] x, float[] dy, float[] dx, int from, int to) {
        FloatVector one = FloatVector.broadcast(F, 1f);
        int i = from;
        for (; i <= to - LANES; i += LANES) {
            FloatVector th = VectorMath.tanh(FloatVector.fromArray(F, x, i));
            th.neg().fma(th, one).fma(FloatVector.fromArray(F, dy, i), FloatVector.fromArray(F, dx, i)).intoArray(dx, i);
        }
        return i;
    }

    static float forward(Activation act, float x) {
        return switch (act) {
            case GELU_ERF -> x * 0.5f * (VectorMath.erf(x * SQRT_HALF) + 1f);
            case GELU_TANH -> x * 0.5f * (VectorMath.tanh(tanhArgument(x)) + 1f);
            case RELU -> Math.max(x, 0f);
            case TANH -> VectorMath.tanh(x);
        };
    }

    static float derivative(Activation act, float x) {
        return switch (act) {
            case GELU_ERF -> {
                float cdf = (VectorMath.erf(x * SQRT_HALF) + 1f) * 0.5f;
                float pdf = VectorMath.exp(x * x * -0.5f) * INV_SQRT_2PI;
                yield Math.fma(x, pdf, cdf);
            }
            case GELU_TANH -> {
                float th = VectorMath.tanh(tanhArgument(x));
                float du = Math.fma(x * x, GELU_3C, 1f) * SQRT_2_OVER_PI;
                float sech2 = Math.fma(-th, th, 1f);
                yield Math.fma(x * 0.5f * sech2, du, (th + 1f) * 0.5f);
            }
            case RELU -> x <= 0f ? 0f : 1f;
            case TANH -> {
                float th = VectorMath.tanh(x);
                yield Math.fma(-th, th, 1f);
            }
        };
    }

    /** √(2/π)·(x + 0.044715·x³), as √(2/π)·x·(1 + 0.044715·x²). */
    private static FloatVector tanhArgument(FloatVector x) {
        return x.mul(x).fma(FloatVector.broadcast(F, GELU_C), FloatVector.broadcast(F, 1f)).mul(x).mul(SQRT_2_OVER_PI);
    }

    private static float tanhArgument(float x) {
        return Math.fma(x * x, GELU_C, 1f) * x * SQRT_2_OVER_PI;
    }
}
