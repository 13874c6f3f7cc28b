/*
 * Decides, after each epoch of a trial, whether to stop it. Like the samplers, a pure function of
 * the trials before it and this trial's values so far, so a resumed search prunes as the
 * interrupted one would have.
 */
package dev.kanna.tune;

import java.util.List;

public sealed interface Pruner permits Pruner.None, SuccessiveHalving {

    /**
     * Whether to stop a trial after its latest step.
     *
     * @param earlier the trials before it, in order of their numbers
     * @param values  its metric at steps 1..n (epochs), NaN for a step with no metric
     */
    boolean prune(List<Trial> earlier, List<Double> values);

    /** Never prunes. */
    record None() implements Pruner {
        @Override
        public boolean prune(List<Trial> earlier, List<Double> values) {
            return false;
        }
    }

    /** The pruner named on the command line: asha or none. */
    static Pruner named(String name, Direction direction) {
        return switch (name) {
            case "asha" -> SuccessiveHalving.optunaDefaults(direction);
            case "none" -> new None();
            default -> throw new IllegalArgumentException("--pruner: expected asha or none, got '" + name + "'");
        };
    }
}
