/*
 * Scalar activation functions and their derivatives, in double internally, rounded to float.
 */
package dev.kanna.backend.cpu;

import dev.kanna.backend.Activation;
import dev.kanna.backend.Erf;

final class Activations {
    private static final double SQRT_HALF = Math.sqrt(0.5);
    private static final double INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
    private static final double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

    private Activations() {
    }

    static float forward(Activation act, float xf) {
        double x = xf;
        return (float) switch (act) {
            case GELU_ERF -> 0.5 * x * (1 + Erf.erf(x * SQRT_HALF));
            case GELU_TANH -> 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)));
            case RELU -> Math.max(x, 0);
            case TANH -> Math.tanh(x);
        };
    }

    static float derivative(Activation act, float xf) {
        double x = xf;
        return (float) switch (act) {
            case GELU_ERF -> 0.5 * (1 + Erf.erf(x * SQRT_HALF)) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x);
            case GELU_TANH -> {
                double u = SQRT_2_OVER_PI * (x + 0.044715 * x * x * x);
                double th = Math.tanh(u);
                yield 0.5 * (1 + th) + 0.5 * x * (1 - th * th) * SQRT_2_OVER_PI * (1 + 3 * 0.044715 * x * x);
            }
            case RELU -> x > 0 ? 1 : 0;
            case TANH -> {
                double th = Math.tanh(x);
                yield 1 - th * th;
            }
        };
    }
}
