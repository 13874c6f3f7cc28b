/*
 * Learning-rate schedules as transformers defines them (optimization.py), as a factor of the base
 * rate for optimizer step k (0-based; the value torch's LambdaLR holds before step k+1):
 *   linear    k/w during warmup, then (total − k)/(total − w), never below 0 (the default)
 *   cosine    k/w during warmup, then ½(1 + cos(π·progress)), progress = (k − w)/(total − w)
 *   constant  k/w during warmup, then 1
 * Denominators are max(1, ·), as there.
 */
package dev.kanna.optim;

public record LrSchedule(Kind kind, long warmupSteps, long totalSteps) {

    public enum Kind { LINEAR, COSINE, CONSTANT }

    public LrSchedule {
        if (warmupSteps < 0 || totalSteps < 0) throw new IllegalArgumentException("negative step counts");
    }

    /** Warmup steps for a ratio of the training steps: ceil(total · ratio), as transformers' TrainingArguments. */
    public static long warmupSteps(long totalSteps, double ratio) {
        if (ratio < 0 || ratio > 1) throw new IllegalArgumentException("warmup ratio must be in [0, 1], got " + ratio);
        return (long) Math.ceil(totalSteps * ratio);
    }

    /** The multiplier of the base learning rate for optimizer step k. */
    public double factor(long k) {
        if (k < warmupSteps) return (double) k / (double) Math.max(1, warmupSteps);
        return switch (kind) {
            case LINEAR -> Math.max(0.0, (double) (totalSteps - k) / (double) Math.max(1, totalSteps - warmupSteps));
            case COSINE -> {
                double progress = (double) (k - warmupSteps) / (double) Math.max(1, totalSteps - warmupSteps);
                yield Math.max(0.0, 0.5 * (1.0 + Math.cos(Math.PI * 0.5 * 2.0 * progress)));
            }
            case CONSTANT -> 1.0;
        };
    }

    /** base · factor(k), multiplied in that order as LambdaLR does. */
    public double lr(double base, long k) {
        return base * factor(k);
    }
}
