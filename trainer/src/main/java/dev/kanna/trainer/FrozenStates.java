/*
 * --cache-frozen in the trainer: decides whether the freezing policy leaves a frozen lower stack to
 * cache (else one log line says why not, and training runs as without the flag), computes the
 * training cache (and the validation cache, when there is validation data) with its memory logged,
 * and hands out cached batches. Under gradual unfreezing the frozen stack shrinks epoch by epoch, so
 * the cache holds only what no epoch trains (the policy's frozen lower stack): always correct, never
 * rebuilt; the layers unfrozen later run from it in every step, recording nothing while frozen.
 * Validation examples are cached in the batches evaluation uses
 * (longest first, the evaluation batch size), so evaluating from the cache gives bitwise the logits
 * of evaluating the whole model. Runs that share work (SharedWork: a search's trials) compute a
 * cache once per frozen depth and reuse it.
 */
package dev.kanna.trainer;

import dev.kanna.bert.BertModel;
import dev.kanna.bert.TaskModel;
import dev.kanna.report.ProgressBar;
import dev.kanna.task.Outputs;
import dev.kanna.task.TaskData;
import dev.kanna.train.FineTuner;
import dev.kanna.train.FrozenCache;

import java.util.Locale;
import java.util.function.Consumer;

final class FrozenStates {
    /** Refuse a cache above this share of the Java heap: training without it beats running out of memory. */
    private static final double MAX_HEAP_SHARE = 0.6;

    private final TaskModel model;
    private final FrozenCache train;
    private final FrozenCache validation;   // null without validation data

    private FrozenStates(TaskModel model, FrozenCache train, FrozenCache validation) {
        this.model = model;
        this.train = train;
        this.validation = validation;
    }

    /**
     * Caches the frozen lower stack of model (its freezing policy already applied) over the training
     * and validation examples, or returns null, having logged why, when the policy leaves none.
     */
    static FrozenStates prepare(TaskModel model, FineTuner tuner, TaskData train, TaskData validation,
                                int batchSize, Consumer<String> log) {
        return prepare(model, tuner, train, validation, batchSize, log, null);
    }

    /** As above, reusing shared's cache of this depth when it has one (shared: nullable), else keeping the new one there. */
    static FrozenStates prepare(TaskModel model, FineTuner tuner, TaskData train, TaskData validation,
                                int batchSize, Consumer<String> log, SharedWork shared) {
        BertModel bert = model.bert();
        int layers = tuner.frozenLowerLayers();
        boolean gradual = tuner.layerwise().gradualUnfreeze();
        String why = !train.fixedInputs() ? "the inputs change every epoch ("
                + (train instanceof dev.kanna.task.AugmentedData<?, ?> ? "--augment" : "dynamic masking") + ")"
                : tuner.trainsEmbeddings() ? "the embeddings train" + (gradual ? " in the last epochs" : "")
                        + ", so no layer's input is fixed"
                : layers == 0 ? "encoder layer 0 trains" + (gradual ? " in the last epochs" : "")
                        + ", so nothing below the first trainable layer is frozen"
                : null;
        int width = bert.config().hiddenSize();
        long bytes = FrozenCache.bytes(train, width) + (validation == null ? 0 : FrozenCache.bytes(validation, width));
        long heap = Runtime.getRuntime().maxMemory();
        if (why == null && bytes > MAX_HEAP_SHARE * heap) {
            why = String.format(Locale.ROOT, "it would take %s, more than %.0f%% of the Java heap (%s; raise -Xmx)",
                    mebibytes(bytes), 100 * MAX_HEAP_SHARE, mebibytes(heap));
        }
        if (why != null) {
            log.accept("--cache-frozen does not apply: " + why + "; training without the cache");
            return null;
        }
        SharedWork.FrozenPair kept = shared == null ? null : shared.frozen(layers, batchSize);
        if (kept != null) {
            log.accept(String.format(Locale.ROOT, "--cache-frozen: reusing the cache of the embeddings and layers 0-%d"
                    + " from an earlier run (%s)", layers - 1, mebibytes(kept.bytes())));
            return new FrozenStates(model, kept.train(), kept.validation());
        }
        log.accept(String.format(Locale.ROOT, "--cache-frozen: caching the embeddings and layers 0-%d (dropout off there)"
                + " for %d training%s examples: %s on the host (fp32, tokens × %d × 4 bytes)", layers - 1, train.size(),
                validation == null ? "" : " and " + validation.size() + " validation", mebibytes(bytes), width));
        if (gradual) {
            log.accept(String.format(Locale.ROOT, "--cache-frozen with --gradual-unfreeze: the cache holds layers 0-%d,"
                    + " which no epoch trains; the layers above it run in every step, frozen until their epoch", layers - 1));
        }
        FrozenStates states = new FrozenStates(model, compute(bert, layers, train, batchSize, "cache train"),
                validation == null ? null : compute(bert, layers, validation, batchSize, "cache validation"));
        if (shared != null) shared.putFrozen(layers, batchSize, new SharedWork.FrozenPair(states.train, states.validation, bytes));
        return states;
    }

    private static FrozenCache compute(BertModel bert, int layers, TaskData examples, int batchSize, String label) {
        try (ProgressBar bar = new ProgressBar(label, examples.size(), "rows")) {
            return FrozenCache.compute(bert, layers, examples, batchSize, n -> bar.step(n, ""));
        }
    }

    private static String mebibytes(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
    }

    /** The training examples at indices as a cached micro-batch. */
    FineTuner.CachedBatch trainBatch(TaskData data, int[] indices) {
        return train.labelledBatch(indices, data.targets(indices));
    }

    /** The model's outputs on the validation examples, from their cache, in the batches evaluation runs. */
    float[][] validationOutputs(TaskData data, int batchSize) {
        Outputs.Source cached = new Outputs.Source() {
            @Override
            public float[] outputs(int[] indices) {
                return model.outputs(validation.batch(indices));
            }

            @Override
            public float[] outputsAt(int[] indices, int[] rows) {
                throw new UnsupportedOperationException("the frozen-layer cache needs inputs fixed across epochs");
            }
        };
        return Outputs.collect(cached, data, model.numOutputs(),
                model.perToken(), batchSize, null);
    }
}
