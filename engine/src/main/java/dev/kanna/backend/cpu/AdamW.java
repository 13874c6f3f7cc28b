/*
 * torch.optim.AdamW's single-tensor update, with torch's float operation order so trajectories
 * match: decay, lerp for the first moment, addcmul for the second, addcdiv for the step.
 */
package dev.kanna.backend.cpu;

final class AdamW {
    private AdamW() {
    }

    static void step(ThreadPool pool, float[] param, float[] grad, float[] m, float[] v, int n,
                     double lr, double beta1, double beta2, double eps, double weightDecay, long step) {
        float decay = (float) (1 - lr * weightDecay);
        float w1 = (float) (1 - beta1), b2 = (float) beta2, w2 = (float) (1 - beta2);
        double biasCorrection1 = 1 - Math.pow(beta1, step);
        double biasCorrection2 = 1 - Math.pow(beta2, step);
        float stepSize = (float) (lr / biasCorrection1);
        float bc2Sqrt = (float) Math.sqrt(biasCorrection2);
        float epsF = (float) eps;
        pool.parallelFor(n, 1 << 14, (from, to) -> {
            for (int k = from; k < to; k++) {
                if (weightDecay != 0) param[k] *= decay;
                float g = grad[k];
                m[k] = m[k] + w1 * (g - m[k]);
                v[k] = v[k] * b2 + w2 * g * g;
                float denom = (float) Math.sqrt(v[k]) / bc2Sqrt + epsF;
                param[k] = param[k] + (-stepSize) * m[k] / denom;
            }
        });
    }
}
