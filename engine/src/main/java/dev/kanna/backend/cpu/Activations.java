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

    /** out[i] = act(x[i]) for i in [from, to) (out may be x). */
    static void forward(Activation act, float[] x, float[] out, int from, int to) {
        int i = from;
        for (; i <= to - LANES; i += LANES) forward(act, FloatVector.fromArray(F, x, i)).intoArray(out, i);
        for (; i < to; i++) out[i] = forward(act, x[i]);
    }

    /** dx[i] += act'(x[i])·dy[i] for i in [from, to). */
    static void backward(Activation act, float[] x, float[] dy, float[] dx, int from, int to) {
        int i = from;
        for (; i <= to - LANES; i += LANES) {
            FloatVector d = derivative(act, FloatVector.fromArray(F, x, i));
            d.fma(FloatVector.fromArray(F, dy, i), FloatVector.fromArray(F, dx, i)).intoArray(dx, i);
        }
        for (; i < to; i++) dx[i] = Math.fma(derivative(act, x[i]), dy[i], dx[i]);
    }

    static FloatVector forward(Activation act, FloatVector x) {
        return switch (act) {
            case GELU_ERF -> x.mul(0.5f).mul(VectorMath.erf(x.mul(SQRT_HALF)).add(1f));
            case GELU_TANH -> x.mul(0.5f).mul(VectorMath.tanh(tanhArgument(x)).add(1f));
            case RELU -> x.max(0f);
            case TANH -> VectorMath.tanh(x);
        };
    }

    static float forward(Activation act, float x) {
        return switch (act) {
            case GELU_ERF -> x * 0.5f * (VectorMath.erf(x * SQRT_HALF) + 1f);
            case GELU_TANH -> x * 0.5f * (VectorMath.tanh(tanhArgument(x)) + 1f);
            case RELU -> Math.max(x, 0f);
            case TANH -> VectorMath.tanh(x);
        };
    }

    static FloatVector derivative(Activation act, FloatVector x) {
        return switch (act) {
            case GELU_ERF -> {
                FloatVector cdf = VectorMath.erf(x.mul(SQRT_HALF)).add(1f).mul(0.5f);
                FloatVector pdf = VectorMath.exp(x.mul(x).mul(-0.5f)).mul(INV_SQRT_2PI);
                yield x.fma(pdf, cdf);
            }
            case GELU_TANH -> {
                FloatVector th = VectorMath.tanh(tanhArgument(x));
                FloatVector du = x.mul(x).fma(FloatVector.broadcast(F, GELU_3C), FloatVector.broadcast(F, 1f)).mul(SQRT_2_OVER_PI);
                FloatVector sech2 = th.neg().fma(th, FloatVector.broadcast(F, 1f));
                yield x.mul(0.5f).mul(sech2).fma(du, th.add(1f).mul(0.5f));
            }
            case RELU -> FloatVector.broadcast(F, 1f).blend(0f, x.compare(VectorOperators.LE, 0f));
            case TANH -> {
                FloatVector th = VectorMath.tanh(x);
                yield th.neg().fma(th, FloatVector.broadcast(F, 1f));
            }
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
