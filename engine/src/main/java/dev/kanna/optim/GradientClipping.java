/*
 * Global-norm gradient clipping exactly as torch.nn.utils.clip_grad_norm_: the L2 norm of each
 * gradient, the L2 norm of those norms, then every gradient times min(1, maxNorm / (total + 1e-6)),
 * with torch's float32 rounding of each intermediate.
 */
package dev.kanna.optim;

import dev.kanna.autograd.Parameter;

import java.util.List;

public final class GradientClipping {
    private GradientClipping() {
    }

    /** The global gradient norm of the parameters (before clipping). */
    public static double globalNorm(List<Parameter> parameters) {
        if (parameters.isEmpty()) return 0;
        // every square sum in one backend call (one device round trip on a GPU), then torch's roundings
        double[] squares = parameters.getFirst().value().backend().sumsOfSquares(parameters.stream().map(Parameter::grad).toList());
        double sum = 0;
        for (double s : squares) {
            float norm = (float) Math.sqrt(s);
            sum += (double) norm * norm;
        }
        return (float) Math.sqrt(sum);
    }

    /** Scales the gradients so their global norm is at most maxNorm; returns the norm before clipping. */
    public static double clip(List<Parameter> parameters, double maxNorm) {
        double total = globalNorm(parameters);
        float coefficient = (float) maxNorm / ((float) total + 1e-6f);
        if (coefficient < 1f) {
            for (Parameter p : parameters) p.value().backend().scale(p.grad(), coefficient);
        }
        return total;
    }
}
