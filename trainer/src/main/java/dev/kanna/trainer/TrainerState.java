/*
 * Where a run stands, in the form a checkpoint stores it (trainer_state.json): the optimizer step,
 * the position in the data (epoch and micro-batches consumed in it), the best evaluation so far and
 * the log history. With the weights and AdamW moments, it is all a resumed run needs to end bitwise
 * where an uninterrupted one does: shuffling derives from (seed, epoch) and dropout from (seed, step).
 */
package dev.kanna.trainer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

public final class TrainerState {
    /** One logged optimizer step. */
    public record StepLog(long step, double epoch, double loss, double lr, double gradNorm) {
    }

    /** One evaluation: the step it followed and its figures (loss plus metrics by name). */
    public record EvalLog(long step, double epoch, Map<String, Object> metrics) {
    }

    public long globalStep;
    public long totalSteps;
    public int epoch;
    /** Micro-batches of the current epoch already consumed. */
    public int batchInEpoch;
    public Double bestMetric;
    public Long bestStep;
    public int evalsWithoutImprovement;
    public boolean stoppedEarly;
    public String fingerprint;
    /** SHA-256 (hex) of the data files by role ("train", "validation"): --resume refuses changed data. */
    public Map<String, String> dataSha256;
    public List<String> labels = new ArrayList<>();
    public List<StepLog> stepLogs = new ArrayList<>();
    public List<EvalLog> evalLogs = new ArrayList<>();
}
