/*
 * The vectorised dropout mask equals DropoutRng's scalar keep decisions element for element, for
 * several p (including values whose p·2²⁴ is an exact integer, where ≥ versus > matters), seeds,
 * starting indices and lengths that are not multiples of the vector width.
 */
package dev.kanna.backend.cpu;

import dev.kanna.backend.DropoutRng;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class DropoutMaskTest {
    @Test
    void sameMaskAsTheScalarHash() {
        float[] factors = new float[DropoutMask.CHUNK];
        for (float p : new float[]{0.1f, 0.5f, 0.25f, 0.9f, 1e-7f, 0.999f}) {
            float keepScale = 1f / (1f - p);
            for (long seed : new long[]{0, 1, -7, 0x123456789ABCDEFL}) {
                for (long index0 : new long[]{0, 5, 1L << 40}) {
                    int n = 1003;
                    DropoutMask.factors(seed, index0, n, p, factors);
                    for (int i = 0; i < n; i++) {
                        float expected = DropoutRng.keep(seed, index0 + i, p) ? keepScale : 0f;
                        assertEquals(expected, factors[i], "p " + p + " seed " + seed + " index " + (index0 + i));
                    }
                }
            }
        }
    }
}
