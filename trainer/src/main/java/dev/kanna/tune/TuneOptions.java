/*
 * Everything `kanna tune` is told: the training run every trial starts from (its data, task,
 * model and fixed settings), the space searched, the sampler, the pruner, the budget and the metric.
 */
package dev.kanna.tune;

import dev.kanna.trainer.TrainOptions;

import java.nio.file.Path;
import java.util.List;

/**
 * @param base       the train options every trial starts from (their out is ignored)
 * @param out        the search's directory
 * @param trials     how many trials to record in all (a resumed search counts the recorded ones)
 * @param seconds    no new trial starts once the recorded trials took this long; 0: no limit
 * @param metric     the validation figure searched for (also each trial's --metric-for-best)
 * @param seed       the sampler's seed (the trials train with base's seed)
 * @param trainFlags the `kanna train` flags the tune command fixed (model, data, task, options),
 *                   without --out: the start of the best trial's command line
 */
public record TuneOptions(TrainOptions base, Path out, SearchSpace space, String sampler, String pruner, int trials,
                          double seconds, String metric, long seed, boolean resume, boolean overwrite,
                          List<String> trainFlags) {

    public TuneOptions {
        trainFlags = List.copyOf(trainFlags);
        if (trials < 1) throw new IllegalArgumentException("--trials must be ≥ 1, got " + trials);
        if (seconds < 0) throw new IllegalArgumentException("--time must be ≥ 0");
        if (resume && overwrite) throw new IllegalArgumentException("--resume and --overwrite exclude each other");
    }

    /**
     * What must match for --resume to continue a search exactly: the space, sampler, pruner, seed,
     * metric and the trials' fixed training settings (not the count of trials or the time budget).
     */
    public String fingerprint() {
        return String.join("|", "space=" + space.json(), "sampler=" + sampler, "pruner=" + pruner, "seed=" + seed,
                "metric=" + metric, "train=" + base.fingerprint());
    }
}
