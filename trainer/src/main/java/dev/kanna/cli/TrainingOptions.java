/*
 * The options every training command shares (a picocli mixin): optimisation, freezing, the
 * few-sample techniques (layer-wise rates, a head rate, re-initialisation, gradual unfreezing),
 * evaluation, checkpointing and the device. train and pretrain differ only in two defaults, passed to apply:
 * the learning rate, and whether every layer trains when no freezing option is given.
 */
package dev.kanna.cli;

import dev.kanna.optim.LrSchedule;
import dev.kanna.trainer.TrainOptions;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

final class TrainingOptions {
    @Option(names = "--epochs", defaultValue = "3", paramLabel = "N", description = "Epochs, may be fractional (default: ${DEFAULT-VALUE}).")
    double epochs;
    @Option(names = "--max-steps", defaultValue = "0", paramLabel = "N", description = "Stop after N optimizer steps; overrides --epochs (default: no limit).")
    long maxSteps;
    @Option(names = "--batch-size", defaultValue = "32", paramLabel = "N", description = "Sequences per micro-batch (default: ${DEFAULT-VALUE}).")
    int batchSize;
    @Option(names = "--gradient-accumulation", defaultValue = "1", paramLabel = "N", description = "Micro-batches per optimizer step (default: ${DEFAULT-VALUE}).")
    int gradientAccumulation;
    @Option(names = "--lr", paramLabel = "RATE", description = "Peak learning rate (default: 2e-5 for train, 5e-5 for pretrain).")
    Double lr;
    @Option(names = "--unfreeze-top", paramLabel = "N", description = "Train the top N encoder layers plus the head (default: 2 for train; every layer for pretrain).")
    Integer unfreezeTop;
    @Option(names = "--unfreeze", paramLabel = "all", description = "'all': train every layer (embeddings too, unless --freeze-embeddings).")
    String unfreeze;
    @Option(names = "--unfreeze-pattern", paramLabel = "REGEX", description = "Train exactly the parameters whose HF name contains a match of REGEX.")
    String unfreezePattern;
    @Option(names = "--freeze-embeddings", description = "Keep the embeddings frozen under any policy.")
    boolean freezeEmbeddings;

    @Option(names = "--layer-lr-decay", defaultValue = "1", paramLabel = "D", description = "Layer-wise learning-rate decay in (0, 1]: the head and pooler train at --lr, the top encoder layer at lr·D, the next at lr·D², ..., the embeddings at lr·D^(L+1) (default: ${DEFAULT-VALUE}, one rate).")
    double layerLrDecay;
    @Option(names = "--head-lr", paramLabel = "RATE", description = "Peak learning rate of the head (classifier, pooler; masked-LM head) instead of --lr; the layers' rates still follow --lr.")
    Double headLr;
    @Option(names = "--reinit-top", defaultValue = "0", paramLabel = "N", description = "Before training, re-initialise the top N encoder layers and the pooler as a fresh BERT (normal(0, initializer_range) weights, zero biases, unit LayerNorm; seeded); they must train under the freezing policy.")
    int reinitTop;
    @Option(names = "--gradual-unfreeze", description = "ULMFiT's gradual unfreezing: epoch 0 trains the head (and pooler) only, each later epoch one more of the layers the freezing policy trains, top down.")
    boolean gradualUnfreeze;

    @Option(names = "--schedule", defaultValue = "linear", paramLabel = "KIND", description = "Learning-rate schedule: linear (warmup then decay to 0), cosine, constant (default: ${DEFAULT-VALUE}).")
    String schedule;
    @Option(names = "--warmup-ratio", defaultValue = "0", paramLabel = "R", description = "Warmup as a fraction of the steps (default: ${DEFAULT-VALUE}).")
    double warmupRatio;
    @Option(names = "--warmup-steps", defaultValue = "-1", paramLabel = "N", description = "Warmup steps; overrides --warmup-ratio.")
    long warmupSteps;
    @Option(names = "--weight-decay", defaultValue = "0", paramLabel = "W", description = "AdamW weight decay, not applied to biases and LayerNorm weights (default: ${DEFAULT-VALUE}).")
    double weightDecay;
    @Option(names = "--max-grad-norm", defaultValue = "1.0", paramLabel = "N", description = "Clip the global gradient norm; 0 disables (default: ${DEFAULT-VALUE}).")
    double maxGradNorm;
    @Option(names = "--no-dropout", description = "Turn dropout off during training.")
    boolean noDropout;
    @Option(names = "--seed", defaultValue = "42", paramLabel = "N", description = "Seed for head initialisation, shuffling and dropout (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--eval-steps", defaultValue = "0", paramLabel = "N", description = "Evaluate every N steps (default: at each epoch end).")
    long evalSteps;
    @Option(names = "--eval-batch-size", defaultValue = "64", paramLabel = "N", description = "Batch size for evaluation (default: ${DEFAULT-VALUE}).")
    int evalBatchSize;
    @Option(names = "--early-stopping", defaultValue = "0", paramLabel = "PATIENCE", description = "Stop after PATIENCE evaluations without improvement (default: never).")
    int earlyStopping;

    @Option(names = "--save-steps", defaultValue = "0", paramLabel = "N", description = "Checkpoint every N steps, besides each epoch end.")
    long saveSteps;
    @Option(names = "--save-total-limit", defaultValue = "0", paramLabel = "N", description = "Keep only the newest N checkpoints (default: all).")
    int saveTotalLimit;
    @Option(names = "--resume", description = "Continue from the newest complete checkpoint in OUT; ends bitwise where an uninterrupted run would.")
    boolean resume;
    @Option(names = "--overwrite", description = "Replace OUT if it exists (refused when OUT holds the model, the data, the working directory or the Kanna folder).")
    boolean overwrite;

    @Mixin
    DeviceOptions device;

    /**
     * Checks every value (before any data is read or OUT replaced) and sets them on the builder.
     *
     * @param defaultLr         the learning rate when --lr is not given
     * @param allLayersByDefault whether every layer trains when no freezing option is given
     */
    TrainOptions.Builder apply(TrainOptions.Builder b, double defaultLr, boolean allLayersByDefault) {
        double rate = lr != null ? lr : defaultLr;
        if (batchSize < 1) throw new IllegalArgumentException("--batch-size must be ≥ 1, got " + batchSize);
        if (gradientAccumulation < 1) throw new IllegalArgumentException("--gradient-accumulation must be ≥ 1");
        if (!(epochs > 0) && maxSteps <= 0) throw new IllegalArgumentException("--epochs must be > 0, got " + epochs);
        if (!(rate > 0)) throw new IllegalArgumentException("--lr must be > 0, got " + rate);
        if (unfreeze != null && !unfreeze.equals("all")) {
            throw new IllegalArgumentException("--unfreeze takes 'all', got '" + unfreeze + "'");
        }
        LrSchedule.Kind kind = switch (schedule) {
            case "linear" -> LrSchedule.Kind.LINEAR;
            case "cosine" -> LrSchedule.Kind.COSINE;
            case "constant" -> LrSchedule.Kind.CONSTANT;
            default -> throw new IllegalArgumentException("--schedule: expected linear, cosine or constant, got '" + schedule + "'");
        };
        if (warmupRatio < 0 || warmupRatio > 1) throw new IllegalArgumentException("--warmup-ratio must be in [0, 1]");
        if (resume && overwrite) throw new IllegalArgumentException("--resume and --overwrite exclude each other");
        atLeast("--max-steps", maxSteps, 0);
        if (unfreezeTop != null) atLeast("--unfreeze-top", unfreezeTop, 0);
        atLeast("--warmup-steps", warmupSteps, -1);    // −1: not given, --warmup-ratio applies
        atLeast("--eval-batch-size", evalBatchSize, 1);
        atLeast("--eval-steps", evalSteps, 0);
        atLeast("--save-steps", saveSteps, 0);
        atLeast("--save-total-limit", saveTotalLimit, 0);   // 0: keep all
        atLeast("--early-stopping", earlyStopping, 0);
        if (unfreezePattern != null) checkPattern(unfreezePattern);
        if (!(layerLrDecay > 0 && layerLrDecay <= 1)) {
            throw new IllegalArgumentException("--layer-lr-decay must be in (0, 1], got " + layerLrDecay);
        }
        if (headLr != null && !(headLr > 0 && !headLr.isInfinite())) throw new IllegalArgumentException("--head-lr must be > 0, got " + headLr);
        atLeast("--reinit-top", reinitTop, 0);
        if (gradualUnfreeze && unfreezeTop != null && unfreezeTop == 0 && unfreeze == null && unfreezePattern == null) {
            throw new IllegalArgumentException("--gradual-unfreeze: --unfreeze-top 0 trains the head only, so there is no layer to unfreeze");
        }
        if (reinitTop > 0 && unfreezeTop != null && reinitTop > unfreezeTop && unfreeze == null && unfreezePattern == null) {
            throw new IllegalArgumentException("--reinit-top " + reinitTop + " re-initialises more layers than --unfreeze-top "
                    + unfreezeTop + " trains; the others would stay random and frozen");
        }
        boolean all = "all".equals(unfreeze) || (allLayersByDefault && unfreezeTop == null && unfreezePattern == null);
        b.epochs(epochs).maxSteps(maxSteps).batchSize(batchSize).gradientAccumulation(gradientAccumulation).lr(rate)
                .freezeEmbeddings(freezeEmbeddings).schedule(kind).warmupRatio(warmupRatio).warmupSteps(warmupSteps)
                .weightDecay(weightDecay).maxGradNorm(maxGradNorm).dropout(!noDropout).seed(seed).evalSteps(evalSteps)
                .evalBatchSize(evalBatchSize).earlyStopping(earlyStopping).saveSteps(saveSteps)
                .saveTotalLimit(saveTotalLimit).resume(resume).overwrite(overwrite).device(device.device)
                .threads(device.threads).layerLrDecay(layerLrDecay).headLr(headLr == null ? 0 : headLr)
                .reinitTop(reinitTop).gradualUnfreeze(gradualUnfreeze);
        if (unfreezeTop != null) b.unfreezeTop(unfreezeTop);
        if (all) b.unfreezeAll();
        if (unfreezePattern != null) b.unfreezePattern(unfreezePattern);
        return b;
    }

    static void atLeast(String option, long value, long min) {
        if (value < min) throw new IllegalArgumentException(option + " must be ≥ " + min + ", got " + value);
    }

    /** Compiles the regex now, before any data is read or OUT replaced; the error in one line. */
    private static void checkPattern(String regex) {
        try {
            Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("--unfreeze-pattern: " + e.getDescription()
                    + (e.getIndex() >= 0 ? " at index " + e.getIndex() : ""));
        }
    }
}
