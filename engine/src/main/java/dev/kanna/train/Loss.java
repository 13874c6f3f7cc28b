/*
 * A task's training objective over a micro-batch's outputs and targets, as transformers computes
 * it for the head's problem_type (torch's "mean" reduction each time):
 *   CrossEntropy       single-label and token classification, masked-LM (ignored rows excluded;
 *                      class weights and label smoothing as torch's cross_entropy)
 *   BinaryCrossEntropy multi-label: BCEWithLogitsLoss over every (sequence, label)
 *   MeanSquaredError   regression: MSELoss over the sequences
 * apply() records the gradient (times gradScale) when the outputs are tracked and returns the mean
 * loss unscaled.
 */
package dev.kanna.train;

import dev.kanna.autograd.Ops;
import dev.kanna.tensor.Tensor;

public sealed interface Loss {

    double apply(Ops ops, Tensor outputs, Targets targets, double gradScale);

    /** @param classWeights per-class weights (K), or null for all 1 */
    record CrossEntropy(float[] classWeights, float labelSmoothing) implements Loss {
        @Override
        public double apply(Ops ops, Tensor outputs, Targets targets, double gradScale) {
            int[] labels = switch (targets) {
                case Targets.Classes c -> c.labels();
                case Targets.Selected s -> s.labels();   // outputs are (M, K), one row per selected position
                case Targets.Values v -> throw mismatch(this, targets);
            };
            return ops.crossEntropy(outputs, labels, classWeights, labelSmoothing, gradScale);
        }
    }

    record BinaryCrossEntropy() implements Loss {
        @Override
        public double apply(Ops ops, Tensor outputs, Targets targets, double gradScale) {
            if (!(targets instanceof Targets.Values(float[] values))) throw mismatch(this, targets);
            return ops.binaryCrossEntropyWithLogits(outputs, values, gradScale);
        }
    }

    record MeanSquaredError() implements Loss {
        @Override
        public double apply(Ops ops, Tensor outputs, Targets targets, double gradScale) {
            if (!(targets instanceof Targets.Values(float[] values))) throw mismatch(this, targets);
            return ops.meanSquaredError(outputs, values, gradScale);
        }
    }

    private static IllegalArgumentException mismatch(Loss loss, Targets targets) {
        return new IllegalArgumentException(loss.getClass().getSimpleName() + " cannot train towards "
                + targets.getClass().getSimpleName() + " targets");
    }
}
