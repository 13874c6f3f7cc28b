/*
 * LayerNorm over the last dimension, forward and backward. Statistics in double; the backward's
 * weight and bias gradients are split over columns so each thread owns its columns.
 */
package dev.kanna.backend.cpu;

final class LayerNorm {
    private LayerNorm() {
    }

    static void forward(ThreadPool pool, float[] out, float[] mean, float[] rstd, float[] in, float[] w, float[] b,
                        int n, int c, float eps) {
        pool.parallelFor(n, 8, (from, to) -> {
            for (int r = from; r < to; r++) {
                int off = r * c;
                double sum = 0;
                for (int k = 0; k < c; k++) sum += in[off + k];
                double mu = sum / c;
                double var = 0;
                for (int k = 0; k < c; k++) {
                    double d = in[off + k] - mu;
                    var += d * d;
                }
                float m = (float) mu;
                float rs = (float) (1 / Math.sqrt(var / c + eps));
                for (int k = 0; k < c; k++) out[off + k] = (in[off + k] - m) * rs * w[k] + b[k];
                if (mean != null) mean[r] = m;
                if (rstd != null) rstd[r] = rs;
            }
        });
    }

    static void backward(ThreadPool pool, float[] dIn, float[] dW, float[] dB, float[] dOut, float[] in, float[] w,
                         float[] mean, float[] rstd, int n, int c) {
        if (dIn != null) {
            pool.parallelFor(n, 8, (from, to) -> {
                for (int r = from; r < to; r++) {
                    int off = r * c;
                    float m = mean[r], rs = rstd[r];
                    double sumG = 0, sumGx = 0;
                    for (int k = 0; k < c; k++) {
                        double g = dOut[off + k] * w[k];
                        sumG += g;
                        sumGx += g * (in[off + k] - m) * rs;
                    }
                    float meanG = (float) (sumG / c), meanGx = (float) (sumGx / c);
                    for (int k = 0; k < c; k++) {
                        float xhat = (in[off + k] - m) * rs;
                        dIn[off + k] += rs * (dOut[off + k] * w[k] - meanG - xhat * meanGx);
                    }
                }
            });
        }
        if (dW != null || dB != null) {
            pool.parallelFor(c, 16, (from, to) -> {
                for (int r = 0; r < n; r++) {
                    int off = r * c;
                    float m = mean[r], rs = rstd[r];
                    for (int k = from; k < to; k++) {
                        if (dW != null) dW[k] += dOut[off + k] * (in[off + k] - m) * rs;
                        if (dB != null) dB[k] += dOut[off + k];
                    }
                }
            });
        }
    }
}
