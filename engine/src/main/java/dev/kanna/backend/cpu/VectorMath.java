/*
 * Fast float exp, erf and tanh on vectors, each with a scalar twin that performs the very same
 * operations (Math.fma for the vector fma, the same constants, the same order), so a value gets the
 * same bits whether it falls in a vector body or a scalar tail: results never depend on where a
 * thread's range starts. Only plain lanewise arithmetic is used, never VectorOperators.EXP and the
 * like, whose compiled (SVML) and interpreted forms round differently. Constants are broadcast with
 * FloatVector.broadcast directly: a helper method returning a vector, once C2 declines to inline it
 * in a large compiled loop, boxes a vector per call (tens of MB per training step, seen with
 * -prof gc).
 *
 * Accuracy against the double-precision functions (VectorMathTest measures it over dense grids):
 *  - exp: Cody–Waite reduction x = n·ln2 + r, |r| ≤ ln2/2, then a degree-6 minimax polynomial
 *    (3e-9 relative) and 2ⁿ from the exponent bits: ≤ 2 ulp for −87 ≤ x ≤ 88; 0 below −87; valid to 88.
 *  - erf: x·P(x²)/Q(x²), degrees 6 and 4 in x² (a rational minimax fit, 5e-8 relative, computed by
 *    tools/codegen/fit_activations.py), ±1 beyond |x| = 3.92 where erf rounds to ±1 in float:
 *    ≤ 4e-7 absolute. (PyTorch's CPU erf, Abramowitz–Stegun 7.1.26, is within 1.5e-7.)
 *  - tanh: x·P(x²)/Q(x²), degrees 4 and 4, ±1 beyond |x| = 9: ≤ 4e-7 absolute.
 */
package dev.kanna.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

final class VectorMath {
    static final VectorSpecies<Float> F = VectorOps.F;

    private VectorMath() {
    }


    // ---------------------------------------------------------------- exp

    private static final float LOG2E = 1.44269504f;
    /** 1.5·2²³: adding it rounds a float of magnitude < 2²² to an integer (round to nearest even). */
    private static final float ROUND = 12582912f;
    private static final float LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;
    private static final float EXP_MIN = -87f, EXP_MAX = 88f;
    private static final float E2 = 4.9999994e-01f, E3 = 1.6666521e-01f, E4 = 4.166839e-02f, E5 = 8.36871e-03f,
            E6 = 1.381461e-03f;

    static FloatVector exp(FloatVector x) {
        FloatVector xc = x.max(EXP_MIN).min(EXP_MAX);
        FloatVector n = xc.fma(LOG2E, ROUND).sub(ROUND);
        FloatVector r = n.fma(FloatVector.broadcast(F, -LN2_HI), xc).add(n.mul(-LN2_LO));
        FloatVector p = r.fma(E6, E5).fma(r, FloatVector.broadcast(F, E4)).fma(r, FloatVector.broadcast(F, E3))
                .fma(r, FloatVector.broadcast(F, E2)).fma(r, FloatVector.broadcast(F, 1f))
                .fma(r, FloatVector.broadcast(F, 1f));
        FloatVector scale = n.convert(VectorOperators.F2I, 0).reinterpretAsInts().add(127)
                .lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return p.mul(scale).blend(0f, x.lt(EXP_MIN));
    }

    static float exp(float x) {
        float xc = Math.min(Math.max(x, EXP_MIN), EXP_MAX);
        float n = Math.fma(xc, LOG2E, ROUND) - ROUND;
        float r = Math.fma(n, -LN2_HI, xc) + n * -LN2_LO;
        float p = Math.fma(r, E6, E5);
        p = Math.fma(p, r, E4);
        p = Math.fma(p, r, E3);
        p = Math.fma(p, r, E2);
        p = Math.fma(p, r, 1f);
        p = Math.fma(p, r, 1f);
        float scale = Float.intBitsToFloat(((int) n + 127) << 23);
        return x < EXP_MIN ? 0f : p * scale;
    }

    // ---------------------------------------------------------------- erf

    private static final float ERF_CLAMP = 3.92f;
    private static final float EP0 = 1.1283791e+00f, EP1 = 1.9992429e-01f, EP2 = 5.0573185e-02f, EP3 = 3.7014806e-03f,
            EP4 = 1.4183819e-04f, EP5 = -1.9575875e-06f, EP6 = 1.9920751e-08f;
    private static final float EQ1 = 5.1050997e-01f, EQ2 = 1.149982e-01f, EQ3 = 1.4353066e-02f, EQ4 = 9.55977e-04f;

    static FloatVector erf(FloatVector x) {
        FloatVector xc = x.max(-ERF_CLAMP).min(ERF_CLAMP);
        FloatVector s = xc.mul(xc);
        FloatVector num = s.fma(EP6, EP5).fma(s, FloatVector.broadcast(F, EP4)).fma(s, FloatVector.broadcast(F, EP3))
                .fma(s, FloatVector.broadcast(F, EP2)).fma(s, FloatVector.broadcast(F, EP1))
                .fma(s, FloatVector.broadcast(F, EP0));
        FloatVector den = s.fma(EQ4, EQ3).fma(s, FloatVector.broadcast(F, EQ2))
                .fma(s, FloatVector.broadcast(F, EQ1)).fma(s, FloatVector.broadcast(F, 1f));
        FloatVector y = xc.mul(num).div(den);
        return y.blend(1f, x.compare(VectorOperators.GE, ERF_CLAMP))
                .blend(-1f, x.compare(VectorOperators.LE, -ERF_CLAMP));
    }

    static float erf(float x) {
        float xc = Math.min(Math.max(x, -ERF_CLAMP), ERF_CLAMP);
        float s = xc * xc;
        float num = Math.fma(s, EP6, EP5);
        num = Math.fma(num, s, EP4);
        num = Math.fma(num, s, EP3);
        num = Math.fma(num, s, EP2);
        num = Math.fma(num, s, EP1);
        num = Math.fma(num, s, EP0);
        float den = Math.fma(s, EQ4, EQ3);
        den = Math.fma(den, s, EQ2);
        den = Math.fma(den, s, EQ1);
        den = Math.fma(den, s, 1f);
        float y = xc * num / den;
        return x >= ERF_CLAMP ? 1f : x <= -ERF_CLAMP ? -1f : y;
    }

    // ---------------------------------------------------------------- tanh

    private static final float TANH_CLAMP = 9f;
    private static final float TP0 = 1f, TP1 = 1.3380966e-01f, TP2 = 3.495514e-03f, TP3 = 2.0607786e-05f,
            TP4 = 1.3352764e-08f;
    private static final float TQ1 = 4.6714282e-01f, TQ2 = 2.5876705e-02f, TQ3 = 3.28551e-04f, TQ4 = 7.775801e-07f;

    static FloatVector tanh(FloatVector x) {
        FloatVector xc = x.max(-TANH_CLAMP).min(TANH_CLAMP);
        FloatVector s = xc.mul(xc);
        FloatVector num = s.fma(TP4, TP3).fma(s, FloatVector.broadcast(F, TP2))
                .fma(s, FloatVector.broadcast(F, TP1)).fma(s, FloatVector.broadcast(F, TP0));
        FloatVector den = s.fma(TQ4, TQ3).fma(s, FloatVector.broadcast(F, TQ2))
                .fma(s, FloatVector.broadcast(F, TQ1)).fma(s, FloatVector.broadcast(F, 1f));
        FloatVector y = xc.mul(num).div(den);
        return y.blend(1f, x.compare(VectorOperators.GE, TANH_CLAMP))
                .blend(-1f, x.compare(VectorOperators.LE, -TANH_CLAMP));
    }

    static float tanh(float x) {
        float xc = Math.min(Math.max(x, -TANH_CLAMP), TANH_CLAMP);
        float s = xc * xc;
        float num = Math.fma(s, TP4, TP3);
        num = Math.fma(num, s, TP2);
        num = Math.fma(num, s, TP1);
        num = Math.fma(num, s, TP0);
        float den = Math.fma(s, TQ4, TQ3);
        den = Math.fma(den, s, TQ2);
        den = Math.fma(den, s, TQ1);
        den = Math.fma(den, s, 1f);
        float y = xc * num / den;
        return x >= TANH_CLAMP ? 1f : x <= -TANH_CLAMP ? -1f : y;
    }
}
