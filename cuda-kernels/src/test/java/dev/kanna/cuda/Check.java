/*
 * Comparisons and test data for the parity tests. Every comparison fails on NaN, reports the worst
 * element, and is stated with its tolerance at the call site.
 */
package dev.kanna.cuda;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

final class Check {
    private Check() {
    }

    /** |actual − expected| ≤ atol + rtol·|expected| for every element. */
    static void close(String what, float[] expected, float[] actual, double atol, double rtol) {
        assertEquals(expected.length, actual.length, what + ": length");
        int worst = -1;
        double worstExcess = 0;
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i], a = actual[i];
            if (Double.isNaN(a) != Double.isNaN(e)) fail(what + ": NaN mismatch at " + i + ": expected " + e + ", got " + a);
            if (Double.isNaN(e)) continue;
            double excess = Math.abs(a - e) - (atol + rtol * Math.abs(e));
            if (excess > worstExcess) {
                worstExcess = excess;
                worst = i;
            }
        }
        if (worst >= 0) {
            fail(what + ": element " + worst + " expected " + expected[worst] + " got " + actual[worst]
                    + " (atol " + atol + ", rtol " + rtol + ")");
        }
    }

    static void close(String what, double[] expected, float[] actual, double atol, double rtol) {
        float[] e = new float[expected.length];
        for (int i = 0; i < e.length; i++) e[i] = (float) expected[i];
        close(what, e, actual, atol, rtol);
    }

    /** ‖actual − expected‖ / ‖expected‖ ≤ tol (Frobenius): for bf16 products. */
    static void relative(String what, double[] expected, float[] actual, double tol) {
        assertEquals(expected.length, actual.length, what + ": length");
        double num = 0, den = 0;
        for (int i = 0; i < expected.length; i++) {
            if (Float.isNaN(actual[i])) fail(what + ": NaN at " + i);
            double d = actual[i] - expected[i];
            num += d * d;
            den += expected[i] * expected[i];
        }
        double rel = Math.sqrt(num / Math.max(den, 1e-300));
        if (!(rel <= tol)) fail(what + ": relative error " + rel + " > " + tol);
    }

    static void relative(String what, float[] expected, float[] actual, double tol) {
        double[] e = new double[expected.length];
        for (int i = 0; i < e.length; i++) e[i] = expected[i];
        relative(what, e, actual, tol);
    }

    static void bitwise(String what, float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                fail(what + ": element " + i + " expected " + expected[i] + " got " + actual[i] + " (bitwise)");
            }
        }
    }

    static float[] gaussian(Random r, int n, double scale) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (r.nextGaussian() * scale);
        return x;
    }

    static float[] nan(int n) {
        float[] x = new float[n];
        java.util.Arrays.fill(x, Float.NaN);
        return x;
    }

    /** Round to nearest even bf16 (the tensor cores' operand precision), back as float. */
    static float bf16(float x) {
        int b = Float.floatToRawIntBits(x);
        b += 0x7fff + ((b >> 16) & 1);
        return Float.intBitsToFloat(b & 0xffff0000);
    }

    static float[] bf16(float[] x) {
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) y[i] = bf16(x[i]);
        return y;
    }
}
