/*
 * Everything `kanna train` is told, after defaults: data, model, optimisation, evaluation,
 * checkpointing. Recorded in the training record and compared on --resume.
 */
package dev.kanna.trainer;

import dev.kanna.data.DatasetReader;
import dev.kanna.optim.LrSchedule;

import java.nio.file.Path;

/**
 * @param unfreeze        "all", or null to use unfreezeTop
 * @param unfreezePattern regex over HF parameter names, or null
 * @param warmupSteps     ≥ 0 overrides warmupRatio; −1 when not given
 * @param evalSteps       evaluate every N optimizer steps; 0: at each epoch end
 * @param saveSteps       checkpoint every N optimizer steps (and at each epoch end); 0: epoch ends only
 * @param saveTotalLimit  keep at most this many checkpoints (newest); 0: keep all
 * @param earlyStopping   stop after this many evaluations without improvement; 0: never
 * @param maxSteps        stop after this many optimizer steps (overrides epochs); 0: no limit
 * @param limitTrain      use only the first N training rows; 0: all
 * @param evalBatchSize   batch size for evaluation
 * @param cacheFrozen     compute the frozen lower layers once per example and reuse them
 */
public record TrainOptions(Path model, Path train, Path validation, Path out, DatasetReader.Fields fields,
                           double epochs, int batchSize, int gradientAccumulation, double lr, int maxLength,
                           int unfreezeTop, String unfreeze, String unfreezePattern, boolean freezeEmbeddings,
                           LrSchedule.Kind schedule, double warmupRatio, long warmupSteps, double weightDecay,
                           double maxGradNorm, double labelSmoothing, boolean classWeightsAuto, long seed,
                           long evalSteps, long saveSteps, int saveTotalLimit, String metricForBest,
                           int earlyStopping, long maxSteps, int limitTrain, int evalBatchSize,
                           boolean dropout, boolean cacheFrozen, boolean resume, boolean overwrite,
                           String device, int threads) {

    /** The settings that must match for --resume to continue a run bitwise. */
    public String fingerprint() {
        return String.join("|", "fields=" + fields, "epochs=" + epochs, "batch=" + batchSize,
                "accum=" + gradientAccumulation, "lr=" + lr, "maxLength=" + maxLength, "top=" + unfreezeTop,
                "unfreeze=" + unfreeze, "pattern=" + unfreezePattern, "freezeEmb=" + freezeEmbeddings,
                "schedule=" + schedule, "warmupRatio=" + warmupRatio, "warmupSteps=" + warmupSteps,
                "wd=" + weightDecay, "clip=" + maxGradNorm, "smoothing=" + labelSmoothing,
                "classWeights=" + classWeightsAuto, "seed=" + seed, "evalSteps=" + evalSteps,
                "metric=" + metricForBest, "maxSteps=" + maxSteps, "limitTrain=" + limitTrain,
                "dropout=" + dropout, "cacheFrozen=" + cacheFrozen);
    }
}
