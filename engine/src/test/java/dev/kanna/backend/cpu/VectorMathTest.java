/*
 * VectorMath's exp, erf and tanh: the vector and scalar forms agree bitwise on every input (so a
 * value's result never depends on its position in an array), and each is within its documented error
 * of the double-precision function, on a dense grid and at the edges of its range.
 */
package dev.kanna.backend.cpu;

import dev.kanna.backend.oracle.Oracles;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

class VectorMathTest {
    private static final int LANES = VectorMath.F.length();

    private interface ScalarF {
        float apply(float x);
    }

    /** Inputs: a uniform grid over [lo, hi] plus special values. */
    private static float[] grid(float lo, float hi, int n) {
        float[] special = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, 1e-30f, -1e-30f, 1e-7f, -1e-7f,
                Float.MAX_VALUE, -Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
                -87f, -87.0001f, -86.9999f, 88f, 88.5f, -100f, 3.92f, -3.92f, 3.9199998f, 9f, -9f, 8.999999f};
        int total = (n + special.length + LANES - 1) / LANES * LANES;
        float[] x = new float[total];
        for (int i = 0; i < n; i++) x[i] = lo + (hi - lo) * i / (n - 1);
        System.arraycopy(special, 0, x, n, special.length);
        return x;
    }

    private static void check(String name, float[] x, UnaryOperator<FloatVector> vector, ScalarF scalar,
                              DoubleUnaryOperator exact, double absTol, double relTol) {
        float[] v = new float[x.length];
        for (int i = 0; i < x.length; i += LANES) vector.apply(FloatVector.fromArray(VectorMath.F, x, i)).intoArray(v, i);
        double worst = 0;
        for (int i = 0; i < x.length; i++) {
            float s = scalar.apply(x[i]);
            if (Float.floatToRawIntBits(s) != Float.floatToRawIntBits(v[i]) && !(Float.isNaN(s) && Float.isNaN(v[i]))) {
                fail(name + "(" + x[i] + "): vector " + v[i] + " ≠ scalar " + s);
            }
            double e = exact.applyAsDouble(x[i]);
            double err = Math.abs(s - e);
            if (Double.isInfinite(e) && s == e) continue;
            if (!(err <= absTol + relTol * Math.abs(e))) fail(name + "(" + x[i] + ") = " + s + ", exact " + e + ", |Δ| " + err);
            worst = Math.max(worst, err / (absTol + relTol * Math.abs(e)));
        }
        System.out.println(name + ": worst error " + worst + " of the tolerance");
    }

    /** exp: ≤ 2 ulp (relative 2·2⁻²³) on [−87, 88]; exactly 0 below −87 (true value < 1.7e-38). */
    @Test
    void exp() {
        check("exp", grid(-87f, 88f, 400_001), VectorMath::exp, VectorMath::exp,
                x -> x < -87 ? 0 : x > 88 ? Math.exp(88) : Math.exp(x), Float.MIN_NORMAL, 2 * 0x1.0p-23);
        assertEquals(1f, VectorMath.exp(0f));
        assertEquals(0f, VectorMath.exp(Float.NEGATIVE_INFINITY));
        assertEquals(Float.NaN, VectorMath.exp(Float.NaN));
    }

    /** erf: ≤ 4e-7 absolute everywhere (and odd, and exactly ±1 in the tails). */
    @Test
    void erf() {
        check("erf", grid(-6f, 6f, 400_001), VectorMath::erf, VectorMath::erf, Oracles::erf, 4e-7, 0);
        assertEquals(1f, VectorMath.erf(5f));
        assertEquals(-VectorMath.erf(0.7f), VectorMath.erf(-0.7f));
    }

    /** tanh: ≤ 4e-7 absolute everywhere. */
    @Test
    void tanh() {
        check("tanh", grid(-12f, 12f, 400_001), VectorMath::tanh, VectorMath::tanh, Math::tanh, 4e-7, 0);
        assertEquals(-1f, VectorMath.tanh(-20f));
    }
}
