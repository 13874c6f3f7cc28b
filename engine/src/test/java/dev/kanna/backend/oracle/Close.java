/*
 * Element-wise comparison of a backend's float results with an oracle's doubles, failing with one line
 * that names the quantity, the worst element, both values and the allowed error. Two forms: a fixed
 * |Δ| ≤ atol + rtol·|expected|, and a per-element bound (e.g. an error bound derived from the sum of
 * |terms| a reduction adds, obtained by running the oracle on |inputs|).
 */
package dev.kanna.backend.oracle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

public final class Close {
    private Close() {
    }

    public static void assertClose(String what, double[] expected, float[] actual, double atol, double rtol) {
        double[] bound = new double[expected.length];
        for (int i = 0; i < bound.length; i++) bound[i] = atol + rtol * Math.abs(expected[i]);
        assertWithin(what, expected, actual, bound);
    }

    public static void assertClose(String what, double[] expected, double[] actual, double atol, double rtol) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            double err = Math.abs(expected[i] - actual[i]);
            if (!(err <= atol + rtol * Math.abs(expected[i]))) {
                fail(what + ": element " + i + " expected " + expected[i] + " got " + actual[i] + " (|Δ| = " + err
                        + " > " + (atol + rtol * Math.abs(expected[i])) + ")");
            }
        }
    }

    /** |expected[i] − actual[i]| ≤ bound[i] for all i (NaN fails). */
    public static void assertWithin(String what, double[] expected, float[] actual, double[] bound) {
        assertEquals(expected.length, actual.length, what + ": length");
        int worst = -1;
        double worstRatio = 0;
        for (int i = 0; i < expected.length; i++) {
            double err = Math.abs(expected[i] - actual[i]);
            double ratio = err / bound[i];
            if (!(err <= bound[i]) && (worst < 0 || ratio > worstRatio || Double.isNaN(ratio))) {
                worst = i;
                worstRatio = ratio;
            }
        }
        if (worst >= 0) {
            fail(what + ": element " + worst + " expected " + expected[worst] + " got " + actual[worst]
                    + " (|Δ| = " + Math.abs(expected[worst] - actual[worst]) + " > allowed " + bound[worst] + ")");
        }
    }

    /** Bitwise equality of two float arrays (determinism checks). */
    public static void assertBitwise(String what, float[] a, float[] b) {
        assertEquals(a.length, b.length, what + ": length");
        for (int i = 0; i < a.length; i++) {
            if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(b[i])) {
                fail(what + ": element " + i + " differs: " + a[i] + " vs " + b[i]);
            }
        }
    }
}
