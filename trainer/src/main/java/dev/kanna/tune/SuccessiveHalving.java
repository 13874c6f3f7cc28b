/*
 * Asynchronous successive halving, as Optuna's SuccessiveHalvingPruner (pruners/_successive_halving.py)
 * with min_resource=1, reduction_factor=4, min_early_stopping_rate=0, bootstrap_count=0. Rung r is
 * reached at step min_resource · rf^(rate + r) (epochs 1, 4, 16, ...); a trial reaching a rung
 * records its value there and goes on only if that value is among the top 1/rf of the values every
 * trial so far recorded at that rung, itself included (with fewer than rf of them: only if it is the
 * best). A NaN value at a rung is pruned. Steps are epochs, counted from 1.
 *
 * Optuna keeps each trial's rung values as system attributes; here they are read back from the
 * trials' per-epoch values: trial j recorded rung r iff it ran to step min_resource · rf^(rate + r)
 * with a number there (it passed the rungs below, or it would have stopped at one).
 */
package dev.kanna.tune;

import java.util.ArrayList;
import java.util.List;

public record SuccessiveHalving(int minResource, int reductionFactor, int minEarlyStoppingRate, Direction direction)
        implements Pruner {

    public static SuccessiveHalving optunaDefaults(Direction direction) {
        return new SuccessiveHalving(1, 4, 0, direction);
    }

    public SuccessiveHalving {
        if (minResource < 1 || reductionFactor < 2 || minEarlyStoppingRate < 0) {
            throw new IllegalArgumentException("successive halving needs min_resource ≥ 1, reduction_factor ≥ 2, rate ≥ 0");
        }
    }

    /** The step at which rung r is reached. */
    long rungStep(int rung) {
        long step = minResource;
        for (int i = 0; i < minEarlyStoppingRate + rung; i++) step = Math.multiplyExact(step, reductionFactor);
        return step;
    }

    @Override
    public boolean prune(List<Trial> earlier, List<Double> values) {
        int step = values.size();
        if (step == 0) return false;
        double value = values.getLast();
        int rung = 0;
        while (rungStep(rung) <= step - 1) rung++;   // rungs this trial passed at earlier steps
        while (true) {
            if (step < rungStep(rung)) return false;
            if (Double.isNaN(value)) return true;
            List<Double> competing = new ArrayList<>();
            for (Trial t : earlier) {
                Double v = rungValue(t.epochValues(), rung);
                if (v != null) competing.add(v);
            }
            competing.add(value);
            if (!promotable(value, competing)) return true;
            rung++;
        }
    }

    /** The value a trial with these per-step values recorded at rung r, or null if it never reached it. */
    Double rungValue(List<Double> values, int rung) {
        long step = rungStep(rung);
        if (values.size() < step) return null;
        double v = values.get((int) step - 1);
        return Double.isNaN(v) ? null : v;
    }

    /** Optuna's _is_trial_promotable_to_next_rung: in the top ⌊n / rf⌋ of the n competing values (at least the best). */
    private boolean promotable(double value, List<Double> competing) {
        int index = Math.max(0, competing.size() / reductionFactor - 1);
        competing.sort(null);
        return direction == Direction.MAXIMIZE ? value >= competing.get(competing.size() - 1 - index)
                : value <= competing.get(index);
    }
}
