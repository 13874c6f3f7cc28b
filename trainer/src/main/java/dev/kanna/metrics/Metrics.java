/*
 * What every task's evaluation figures offer the trainer and the commands: a figure by the name
 * --metric-for-best uses, its direction, the JSON form (metrics.json, the evaluate command's last
 * line), a readable table, and the one-line summary the training log prints after each evaluation.
 */
package dev.kanna.metrics;

import java.util.Map;

public interface Metrics {

    /** A figure by name; an unknown name is an IllegalArgumentException listing the known ones. */
    double byName(String name);

    /** Whether a larger value of the named figure is better (errors and losses: no). */
    default boolean higherIsBetter(String name) {
        return true;
    }

    /** JSON-ready figures, in a stable order. */
    Map<String, Object> toJson();

    /** A readable report, several lines. */
    String toTable();

    /** The headline figures in one line, e.g. "accuracy 0.9831 macro_f1 0.9800". */
    String summary();
}
