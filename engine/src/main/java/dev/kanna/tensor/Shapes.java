/*
 * Shape arithmetic with overflow checks: sizes come from untrusted files, so every product is exact.
 */
package dev.kanna.tensor;

import java.util.Arrays;

public final class Shapes {
    private Shapes() {
    }

    /** Product of the dimensions; throws on a negative dimension or on overflow of long. */
    public static long elementCount(int... shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            n = Math.multiplyExact(n, d);
        }
        return n;
    }
}
