/*
 * A dataset after a task has tokenized it: examples of token ids the model runs over (padded per
 * batch to their longest), and the targets of a batch in the form the task's loss reads. An
 * example is a sequence the model sees: a row of a text dataset, or one window of a long sentence.
 */
package dev.kanna.task;

import dev.kanna.train.FrozenCache;
import dev.kanna.train.Targets;

public interface TaskData extends FrozenCache.Examples {

    /** The targets of batch(indices) (unlabelled data: not called). */
    Targets targets(int[] indices);

    /** Indices 0..n−1 longest first, the order evaluation and the frozen-layer cache batch in. */
    default int[] byLength() {
        return FrozenCache.byLength(this);
    }
}
