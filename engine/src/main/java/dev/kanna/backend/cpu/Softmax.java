/*
 * A numerically stable softmax over one row.
 */
package dev.kanna.backend.cpu;

final class Softmax {
    private Softmax() {
    }

    /** out[outOff..outOff+n) = softmax(in[inOff..inOff+n)). */
    static void row(float[] in, int inOff, float[] out, int outOff, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int k = 0; k < n; k++) max = Math.max(max, in[inOff + k]);
        double sum = 0;
        for (int k = 0; k < n; k++) {
            float e = (float) Math.exp(in[inOff + k] - max);
            out[outOff + k] = e;
            sum += e;
        }
        float inv = (float) (1 / sum);
        for (int k = 0; k < n; k++) out[outOff + k] *= inv;
    }
}
