/*
 * How a task's rows are augmented: new rows made from one row, its labels kept. A task gives its
 * own (Task.augmenter): EDA over the text for text tasks, mention and synonym replacement for
 * token classification. Every draw comes from the RandomGenerator given, so the rows made are a
 * function of the row and the seed of that generator (Augmentation.random).
 */
package dev.kanna.augment;

import java.util.List;
import java.util.random.RandomGenerator;

public interface Augmenter<R> {

    /** `copies` new rows from row, in a fixed order for the draws. */
    List<R> augment(R row, int copies, RandomGenerator random);

    /** What it does, for a log line: "synonym, insert, swap, delete at alpha 0.1; synonyms from WordNet 3.1". */
    String describe();
}
