/*
 * The range one hyperparameter is searched over, as Optuna's distributions: a float range
 * (optionally log-uniform), an integer range (optionally log), or a list of choices. The samplers
 * see every value as a double, its internal form: the number itself, or a choice's index.
 */
package dev.kanna.tune;

import java.util.List;
import java.util.SplittableRandom;

public sealed interface Distribution {

    /** The value as the samplers see it. */
    double internal(Object value);

    /** The setting for an internal value (a Double, an Integer, or the choice itself). */
    Object external(double internal);

    /** A uniform draw as Optuna's RandomSampler makes it: uniform in the (log) range, or a uniform choice. */
    Object uniform(SplittableRandom random);

    /** A float in [low, high]; log: uniform in log space (low > 0). */
    record FloatRange(double low, double high, boolean log) implements Distribution {
        @Override
        public double internal(Object value) {
            return ((Number) value).doubleValue();
        }

        @Override
        public Object external(double internal) {
            return Math.min(high, Math.max(low, internal));
        }

        @Override
        public Object uniform(SplittableRandom random) {
            if (low == high) return low;
            double u = log ? Math.exp(Math.log(low) + random.nextDouble() * (Math.log(high) - Math.log(low)))
                    : low + random.nextDouble() * (high - low);
            return external(u);
        }
    }

    /** An integer in [low, high]; log: drawn in log space (low ≥ 1), as Optuna's IntDistribution(log=True). */
    record IntRange(int low, int high, boolean log) implements Distribution {
        @Override
        public double internal(Object value) {
            return ((Number) value).intValue();
        }

        @Override
        public Object external(double internal) {
            return (int) Math.min(high, Math.max(low, Math.rint(internal)));
        }

        /** Uniform over [low − ½, high + ½] (in log space when log), then rounded: each integer its share of the range. */
        @Override
        public Object uniform(SplittableRandom random) {
            double lo = low - 0.5, hi = high + 0.5;
            double u = log ? Math.exp(Math.log(lo) + random.nextDouble() * (Math.log(hi) - Math.log(lo)))
                    : lo + random.nextDouble() * (hi - lo);
            return external(u);
        }
    }

    /** One of the choices (numbers, booleans or strings, as the space file gives them). */
    record Choice(List<Object> choices) implements Distribution {
        public Choice {
            choices = List.copyOf(choices);
        }

        @Override
        public double internal(Object value) {
            for (int i = 0; i < choices.size(); i++) if (same(choices.get(i), value)) return i;
            throw new IllegalArgumentException(value + " is not one of " + choices);
        }

        @Override
        public Object external(double internal) {
            return choices.get((int) internal);
        }

        @Override
        public Object uniform(SplittableRandom random) {
            return choices.get(random.nextInt(choices.size()));
        }

        /** Equal as settings: numbers by value (16 and 16.0 are one choice, as JSON reads them back), else equals. */
        private static boolean same(Object a, Object b) {
            if (a instanceof Number x && b instanceof Number y) return x.doubleValue() == y.doubleValue();
            return a.equals(b);
        }
    }
}
