/*
 * Small Vector API loops shared by the CPU kernels: dot products, sums, scaling, elementwise adds and
 * products. Scalar tails, no masked vectors (they are slow). Horizontal sums go through sumLanes,
 * never reduceLanes(ADD): the JIT-compiled reduceLanes adds lanes in a tree while the interpreter adds
 * them in sequence, so the same call would give different bits before and after warm-up.
 */
package dev.kanna.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

public final class VectorOps {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final int LANES = F.length();

    private VectorOps() {
    }

    /** Σ a[aOff + i] · b[bOff + i] for i < n. */
    public static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        FloatVector acc0 = FloatVector.zero(F), acc1 = FloatVector.zero(F);
        int i = 0;
        for (; i <= n - 2 * LANES; i += 2 * LANES) {
            acc0 = FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromArray(F, b, bOff + i), acc0);
            acc1 = FloatVector.fromArray(F, a, aOff + i + LANES).fma(FloatVector.fromArray(F, b, bOff + i + LANES), acc1);
        }
        for (; i <= n - LANES; i += LANES) {
            acc0 = FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromArray(F, b, bOff + i), acc0);
        }
        float sum = sumLanes(acc0.add(acc1));
        for (; i < n; i++) sum += a[aOff + i] * b[bOff + i];
        return sum;
    }

    /** Σ of the lanes of v, in lane order (deterministic in the interpreter and compiled code alike). */
    public static float sumLanes(FloatVector v) {
        float s = 0;
        for (int i = 0; i < LANES; i++) s += v.lane(i);
        return s;
    }

    /** y[yOff + i] += x[xOff + i] for i < n. */
    public static void add(float[] x, int xOff, float[] y, int yOff, int n) {
        int i = 0;
        for (; i <= n - LANES; i += LANES) {
            FloatVector.fromArray(F, x, xOff + i).add(FloatVector.fromArray(F, y, yOff + i)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) y[yOff + i] += x[xOff + i];
    }

    /** x[off + i] *= factor for i < n. */
    public static void scale(float[] x, int off, int n, float factor) {
        FloatVector f = FloatVector.broadcast(F, factor);
        int i = 0;
        for (; i <= n - LANES; i += LANES) FloatVector.fromArray(F, x, off + i).mul(f).intoArray(x, off + i);
        for (; i < n; i++) x[off + i] *= factor;
    }

    /** out[outOff + i] = a[aOff + i] + b[bOff + i] + c[cOff + i] for i < n (added left to right). */
    public static void sum3(float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, float[] out, int outOff, int n) {
        int i = 0;
        for (; i <= n - LANES; i += LANES) {
            FloatVector.fromArray(F, a, aOff + i).add(FloatVector.fromArray(F, b, bOff + i))
                    .add(FloatVector.fromArray(F, c, cOff + i)).intoArray(out, outOff + i);
        }
        for (; i < n; i++) out[outOff + i] = a[aOff + i] + b[bOff + i] + c[cOff + i];
    }

    /** y[yOff + i] = x[xOff + i]·factor for i < n. */
    public static void scaleInto(float[] x, int xOff, float[] y, int yOff, int n, float factor) {
        FloatVector f = FloatVector.broadcast(F, factor);
        int i = 0;
        for (; i <= n - LANES; i += LANES) FloatVector.fromArray(F, x, xOff + i).mul(f).intoArray(y, yOff + i);
        for (; i < n; i++) y[yOff + i] = x[xOff + i] * factor;
    }

    /** out[outOff + i] = x[xOff + i]·y[yOff + i] for i < n (out may alias x). */
    public static void multiplyInto(float[] x, int xOff, float[] y, int yOff, float[] out, int outOff, int n) {
        int i = 0;
        for (; i <= n - LANES; i += LANES) {
            FloatVector.fromArray(F, x, xOff + i).mul(FloatVector.fromArray(F, y, yOff + i)).intoArray(out, outOff + i);
        }
        for (; i < n; i++) out[outOff + i] = x[xOff + i] * y[yOff + i];
    }

    /** acc[accOff + i] = fma(x[xOff + i], y[yOff + i], acc[accOff + i]) for i < n. */
    public static void fmaInto(float[] x, int xOff, float[] y, int yOff, float[] acc, int accOff, int n) {
        int i = 0;
        for (; i <= n - LANES; i += LANES) {
            FloatVector.fromArray(F, x, xOff + i).fma(FloatVector.fromArray(F, y, yOff + i),
                    FloatVector.fromArray(F, acc, accOff + i)).intoArray(acc, accOff + i);
        }
        for (; i < n; i++) acc[accOff + i] = Math.fma(x[xOff + i], y[yOff + i], acc[accOff + i]);
    }

    /** out[outOff + i] = a[aOff + i] + b[bOff + i] for i < n. */
    public static void addInto(float[] a, int aOff, float[] b, int bOff, float[] out, int outOff, int n) {
        int i = 0;
        for (; i <= n - LANES; i += LANES) {
            FloatVector.fromArray(F, a, aOff + i).add(FloatVector.fromArray(F, b, bOff + i)).intoArray(out, outOff + i);
        }
        for (; i < n; i++) out[outOff + i] = a[aOff + i] + b[bOff + i];
    }
}
