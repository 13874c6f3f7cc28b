/*
 * What cross-validation keeps even across folds, row by row, as a task describes its rows: the
 * classes each row holds (single-label: its label; multi-label: its set of labels; token
 * classification: the entity types its sentence holds), or a numeric target (regression). Folds
 * (dev.kanna.trainer.Folds) deals rows with the same set of classes, or neighbouring values,
 * evenly over the folds.
 */
package dev.kanna.task;

import java.util.List;
import java.util.SortedSet;

public sealed interface Stratification {

    /** The number of rows. */
    int size();

    /**
     * Rows by the classes they hold (each set possibly empty).
     *
     * @param kind what a class is, for messages: "class", "label", "entity type"
     */
    record ByClasses(List<SortedSet<String>> classes, String kind) implements Stratification {
        public ByClasses {
            classes = List.copyOf(classes);
        }

        @Override
        public int size() {
            return classes.size();
        }
    }

    /** Rows by a numeric target. */
    record ByValue(double[] values) implements Stratification {
        @Override
        public int size() {
            return values.length;
        }
    }
}
