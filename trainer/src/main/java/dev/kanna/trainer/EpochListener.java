/*
 * Told by the Trainer at each epoch end, after that epoch's evaluation and before its checkpoint,
 * and may stop the run there: the hook a hyperparameter search prunes bad trials with (successive
 * halving on the per-epoch validation metric). A stop ends the run as early stopping does: the
 * checkpoint records it, the best weights so far are restored and written.
 */
package dev.kanna.trainer;

import java.util.Map;

@FunctionalInterface
public interface EpochListener {

    /** Goes on in every epoch: the listener of a plain training run. */
    EpochListener NONE = end -> Decision.CONTINUE;

    enum Decision { CONTINUE, STOP }

    /**
     * An epoch that just ended.
     *
     * @param epochs     epochs completed, from 1
     * @param step       the optimizer step it ended at
     * @param validation the figures of the latest evaluation by name (loss and the task's metrics);
     *                   null without validation data
     */
    record EpochEnd(int epochs, long step, Map<String, Object> validation) {
    }

    Decision epochEnded(EpochEnd end);
}
