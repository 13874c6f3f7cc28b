/*
 * Dropout keep factors, vectorised: factor[i] = 1/(1 − p) when DropoutRng keeps element index0 + i,
 * else 0. The same splitmix64 hash as DropoutRng.uniform, computed on 64-bit vector lanes, and the same
 * test (uniform ≥ p is bits·2⁻²⁴ ≥ p, i.e. bits ≥ ⌈p·2²⁴⌉ on the integer bits), so the mask is
 * identical to the scalar one. Used only where 64-bit lane multiplies are native (8 long lanes:
 * AVX-512); elsewhere the scalar DropoutRng runs.
 */
package dev.kanna.backend.cpu;

import dev.kanna.backend.DropoutRng;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

final class DropoutMask {
    private static final VectorSpecies<Long> L = LongVector.SPECIES_512;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_256;
    static final boolean VECTORISED = LongVector.SPECIES_PREFERRED.length() >= 8;
    /** Factors computed per call of factors(): a multiple of 8 lanes, small enough for L1. */
    static final int CHUNK = 1024;

    private DropoutMask() {
    }

    /** factors[0..n) for elements index0..index0+n (n ≤ CHUNK). */
    static void factors(long seed, long index0, int n, float p, float[] factors) {
        float keepScale = 1f / (1f - p);
        int i = 0;
        if (VECTORISED) {
            long threshold = (long) Math.ceil(p * 0x1.0p24);
            LongVector iota = LongVector.zero(L).addIndex(1);
            LongVector scaleBits = LongVector.broadcast(L, Float.floatToRawIntBits(keepScale));
            for (; i <= n - 8; i += 8) {
                LongVector z = iota.add(index0 + i).mul(0x9E3779B97F4A7C15L).add(seed);
                z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 30)).mul(0xBF58476D1CE4E5B9L);
                z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 27)).mul(0x94D049BB133111EBL);
                z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 31));
                LongVector bits = z.lanewise(VectorOperators.LSHR, 40);
                LongVector factor = scaleBits.blend(0L, bits.compare(VectorOperators.LT, threshold));
                ((IntVector) factor.convertShape(VectorOperators.L2I, I, 0)).reinterpretAsFloats().intoArray(factors, i);
            }
        }
        for (; i < n; i++) factors[i] = DropoutRng.keep(seed, index0 + i, p) ? keepScale : 0f;
    }

    private static final ThreadLocal<float[]> BUFFER = ThreadLocal.withInitial(() -> new float[CHUNK]);

    /** out[outOff + i] = x[xOff + i]·factor(index0 + i) for i < n (out may be x). */
    static void apply(float[] x, int xOff, float[] out, int outOff, int n, float p, long seed, long index0) {
        float[] f = BUFFER.get();
        for (int start = 0; start < n; start += CHUNK) {
            int len = Math.min(CHUNK, n - start);
            factors(seed, index0 + start, len, p, f);
            VectorOps.multiplyInto(x, xOff + start, f, 0, out, outOff + start, len);
        }
    }

    /** dx[dxOff + i] += dy[dyOff + i]·factor(index0 + i) for i < n. */
    static void accumulate(float[] dy, int dyOff, float[] dx, int dxOff, int n, float p, long seed, long index0) {
        float[] f = BUFFER.get();
        for (int start = 0; start < n; start += CHUNK) {
            int len = Math.min(CHUNK, n - start);
            factors(seed, index0 + start, len, p, f);
            VectorOps.fmaInto(dy, dyOff + start, f, 0, dx, dxOff + start, len);
        }
    }
}
