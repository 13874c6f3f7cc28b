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

    /**
     * The data as epoch `epoch` sees it: itself, unless its inputs are drawn anew every epoch (masked
     * LM's dynamic masking, from the seed and the epoch, so a resumed run draws the same).
     */
    default TaskData forEpoch(int epoch) {
        return this;
    }

    /** Whether an example's token ids are the same in every epoch (what the frozen-layer cache needs). */
    default boolean fixedInputs() {
        return true;
    }

    /**
     * How evaluation keeps an example's outputs: as they are, or reduced to what the task's metrics
     * need (a masked LM's vocabulary logits at each masked position → its loss and whether it was
     * right), so a large output layer is not held for the whole dataset. Examples whose targets are
     * Targets.Selected get their outputs at those rows only, (m, K) for their m rows.
     */
    default float[] reduce(int example, float[] outputs) {
        return outputs;
    }

    /** Whether targets(indices) are Targets.Selected: outputs are wanted at those rows only. */
    default boolean selectsRows() {
        return false;
    }

    /**
     * The row (text, sentence) example i was made from: rows in order, each one example or more
     * (a long sentence's windows share their sentence).
     */
    default int row(int example) {
        return example;
    }

    /** Indices 0..n−1 longest first, the order evaluation and the frozen-layer cache batch in. */
    default int[] byLength() {
        return FrozenCache.byLength(this);
    }
}
