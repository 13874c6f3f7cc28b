/*
 * Everything `kanna train` is told, after defaults: data, model, optimisation, evaluation,
 * checkpointing. Recorded in the training record and compared on --resume.
 */
package dev.kanna.trainer;

import dev.kanna.augment.AugmentSettings;
import dev.kanna.data.DatasetReader;
import dev.kanna.data.TagFields;
import dev.kanna.metrics.TagScheme;
import dev.kanna.pretrain.MaskedLanguageModeling;
import dev.kanna.task.DataOptions;
import dev.kanna.task.Task;
import dev.kanna.task.SequenceClassification;
import dev.kanna.task.Tasks;
import dev.kanna.optim.LrSchedule;
import dev.kanna.train.LayerwiseTraining;

import java.nio.file.Path;
import java.util.List;

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
 * @param task            the task's name (Tasks.NAMES)
 * @param tagFields       token classification: where the words and tags are
 * @param stride          token classification: tokens consecutive windows of a long sentence share
 * @param labelAllTokens  token classification: later word pieces get the word's tag (as I-) instead of none
 * @param scheme          token classification: iob1, iob2, iobes or bilou, which every tag must follow; null: any
 * @param tuneThresholds  multi-label: tune each label's decision threshold on the validation data after training
 * @param moreTrain       further training files, read after train and used as one dataset (pretraining text)
 * @param masking         masked-LM pretraining: how tokens are masked and text packed; null for other tasks
 * @param layerwise       layer-wise learning-rate decay, a head learning rate, gradual unfreezing
 * @param reinitTop       re-initialise the top N encoder layers (and the pooler) before training; 0: none
 * @param aux             related-domain data mixed into every batch (--aux-train); null: none
 * @param pseudoLabelled  rows added to the training rows after --limit-train: a self-training round's
 *                        pseudo-labelled text (SelfTraining); null: none
 * @param augment         augment the training rows afresh each epoch (--augment N); null: no augmentation
 */
public record TrainOptions(Path model, Path train, Path validation, Path out, DatasetReader.Fields fields,
                           double epochs, int batchSize, int gradientAccumulation, double lr, int maxLength,
                           int unfreezeTop, String unfreeze, String unfreezePattern, boolean freezeEmbeddings,
                           LrSchedule.Kind schedule, double warmupRatio, long warmupSteps, double weightDecay,
                           double maxGradNorm, double labelSmoothing, boolean classWeightsAuto, long seed,
                           long evalSteps, long saveSteps, int saveTotalLimit, String metricForBest,
                           int earlyStopping, long maxSteps, int limitTrain, int evalBatchSize,
                           boolean dropout, boolean cacheFrozen, boolean resume, boolean overwrite,
                           String device, int threads, String task, TagFields tagFields, int stride,
                           boolean labelAllTokens, String scheme, boolean tuneThresholds, List<Path> moreTrain,
                           MaskedLanguageModeling.Settings masking, LayerwiseTraining layerwise, int reinitTop,
                           AuxiliaryData aux, Path pseudoLabelled, AugmentSettings augment) {

    public TrainOptions {
        moreTrain = List.copyOf(moreTrain);
    }

    /**
     * The same settings for one round of self-training: written to out, training on pseudoLabelled
     * rows as well (null: none), resuming the round's run or replacing what a killed one left.
     */
    public TrainOptions forRound(Path out, Path pseudoLabelled, boolean resume, boolean overwrite) {
        return new TrainOptions(model, train, validation, out, fields, epochs, batchSize, gradientAccumulation, lr,
                maxLength, unfreezeTop, unfreeze, unfreezePattern, freezeEmbeddings, schedule, warmupRatio, warmupSteps,
                weightDecay, maxGradNorm, labelSmoothing, classWeightsAuto, seed, evalSteps, saveSteps, saveTotalLimit,
                metricForBest, earlyStopping, maxSteps, limitTrain, evalBatchSize, dropout, cacheFrozen, resume, overwrite,
                device, threads, task, tagFields, stride, labelAllTokens, scheme, tuneThresholds, moreTrain, masking,
                layerwise, reinitTop, aux, pseudoLabelled, augment);
    }

    /** Every training file: train, then moreTrain. */
    public List<Path> trainFiles() {
        List<Path> all = new java.util.ArrayList<>(List.of(train));
        all.addAll(moreTrain);
        return all;
    }


    /**
     * The options of one cross-validation fold: its own output directory and no validation file (it
     * validates on its held-out rows, which the trainer is given).
     */
    public TrainOptions forFold(Path foldOut, boolean resumeFold) {
        return new TrainOptions(model, train, null, foldOut, fields, epochs, batchSize, gradientAccumulation, lr, maxLength,
                unfreezeTop, unfreeze, unfreezePattern, freezeEmbeddings, schedule, warmupRatio, warmupSteps, weightDecay,
                maxGradNorm, labelSmoothing, classWeightsAuto, seed, evalSteps, saveSteps, saveTotalLimit, metricForBest,
                earlyStopping, maxSteps, limitTrain, evalBatchSize, dropout, cacheFrozen, resumeFold, overwrite, device,
                threads, task, tagFields, stride, labelAllTokens, scheme, tuneThresholds, moreTrain, masking, layerwise,
                reinitTop, aux, pseudoLabelled, augment);
    }

    /** The figure that picks the best model: as given, else the task's first metric (macro_f1, f1, micro_f1, mse). */
    @Override
    public String metricForBest() {
        return metricForBest != null ? metricForBest : taskObject().metricNames().getFirst();
    }

    /** The task this run trains. */
    public Task<?, ?> taskObject() {
        return Tasks.named(task, masking);
    }

    /** How the task reads and tokenizes this run's data. */
    public DataOptions dataOptions() {
        return new DataOptions(fields, tagFields, maxLength, stride, labelAllTokens, scheme == null ? null : TagScheme.parse(scheme));
    }

    /** Options with `kanna train`'s defaults for the given model, training data and output directory. */
    public static Builder builder(Path model, Path train, Path out) {
        return new Builder(model, train, out);
    }

    /** Builds TrainOptions; every setting starts at the CLI's default. */
    public static final class Builder {
        private final Path model, train, out;
        private Path validation;
        private DatasetReader.Fields fields = DatasetReader.Fields.defaults();
        private double epochs = 3, lr = 2e-5, warmupRatio, weightDecay, maxGradNorm = 1.0, labelSmoothing;
        private int batchSize = 32, gradientAccumulation = 1, maxLength = 128, unfreezeTop = 2, saveTotalLimit,
                earlyStopping, limitTrain, evalBatchSize = 64, threads;
        private String unfreeze, unfreezePattern, metricForBest, device = "auto", task = SequenceClassification.NAME;
        private TagFields tagFields = TagFields.defaults();
        private int stride = -1;
        private boolean labelAllTokens;
        private String scheme;
        private boolean tuneThresholds;
        private List<Path> moreTrain = List.of();
        private MaskedLanguageModeling.Settings masking;
        private double layerLrDecay = 1.0, headLr;
        private boolean gradualUnfreeze;
        private int reinitTop;
        private AuxiliaryData aux;
        private AugmentSettings augment;
        private boolean freezeEmbeddings, classWeightsAuto, dropout = true, cacheFrozen, resume, overwrite;
        private LrSchedule.Kind schedule = LrSchedule.Kind.LINEAR;
        private long warmupSteps = -1, seed = 42, evalSteps, saveSteps, maxSteps;

        private Builder(Path model, Path train, Path out) {
            this.model = model;
            this.train = train;
            this.out = out;
        }

        public Builder validation(Path v) { validation = v; return this; }
        public Builder fields(DatasetReader.Fields v) { fields = v; return this; }
        public Builder epochs(double v) { epochs = v; return this; }
        public Builder batchSize(int v) { batchSize = v; return this; }
        public Builder gradientAccumulation(int v) { gradientAccumulation = v; return this; }
        public Builder lr(double v) { lr = v; return this; }
        public Builder maxLength(int v) { maxLength = v; return this; }
        public Builder unfreezeTop(int v) { unfreezeTop = v; return this; }
        public Builder unfreezeAll() { unfreeze = "all"; return this; }
        public Builder unfreezePattern(String regex) { unfreezePattern = regex; return this; }
        public Builder freezeEmbeddings(boolean v) { freezeEmbeddings = v; return this; }
        public Builder schedule(LrSchedule.Kind v) { schedule = v; return this; }
        public Builder warmupRatio(double v) { warmupRatio = v; return this; }
        public Builder warmupSteps(long v) { warmupSteps = v; return this; }
        public Builder weightDecay(double v) { weightDecay = v; return this; }
        public Builder maxGradNorm(double v) { maxGradNorm = v; return this; }
        public Builder labelSmoothing(double v) { labelSmoothing = v; return this; }
        public Builder classWeightsAuto(boolean v) { classWeightsAuto = v; return this; }
        public Builder seed(long v) { seed = v; return this; }
        public Builder evalSteps(long v) { evalSteps = v; return this; }
        public Builder saveSteps(long v) { saveSteps = v; return this; }
        public Builder saveTotalLimit(int v) { saveTotalLimit = v; return this; }
        public Builder metricForBest(String v) { metricForBest = v; return this; }
        public Builder earlyStopping(int patience) { earlyStopping = patience; return this; }
        public Builder maxSteps(long v) { maxSteps = v; return this; }
        public Builder limitTrain(int v) { limitTrain = v; return this; }
        public Builder evalBatchSize(int v) { evalBatchSize = v; return this; }
        public Builder dropout(boolean v) { dropout = v; return this; }
        public Builder cacheFrozen(boolean v) { cacheFrozen = v; return this; }
        public Builder resume(boolean v) { resume = v; return this; }
        public Builder overwrite(boolean v) { overwrite = v; return this; }
        public Builder device(String v) { device = v; return this; }
        public Builder threads(int v) { threads = v; return this; }
        public Builder task(String v) { task = v; return this; }
        public Builder tagFields(TagFields v) { tagFields = v; return this; }
        /** Tokens shared by consecutive windows; −1 (the default): a quarter of --max-length. */
        public Builder stride(int v) { stride = v; return this; }
        public Builder labelAllTokens(boolean v) { labelAllTokens = v; return this; }
        public Builder scheme(String v) { scheme = v; return this; }
        public Builder tuneThresholds(boolean v) { tuneThresholds = v; return this; }
        public Builder moreTrain(List<Path> v) { moreTrain = v; return this; }
        /** Masked-LM pretraining with these settings (sets the task). */
        public Builder pretraining(MaskedLanguageModeling.Settings v) { masking = v; task = MaskedLanguageModeling.NAME; return this; }
        /** Layer-wise learning-rate decay D in (0, 1]; 1: none. */
        public Builder layerLrDecay(double v) { layerLrDecay = v; return this; }
        /** The head's (and pooler's) learning rate; 0: --lr. */
        public Builder headLr(double v) { headLr = v; return this; }
        public Builder gradualUnfreeze(boolean v) { gradualUnfreeze = v; return this; }
        public Builder reinitTop(int v) { reinitTop = v; return this; }
        /** Related-domain data mixed into every batch; null: none. */
        public Builder aux(AuxiliaryData v) { aux = v; return this; }
        /** Augment the training rows afresh each epoch; null: no augmentation. */
        public Builder augment(AugmentSettings v) { augment = v; return this; }

        public TrainOptions build() {
            return new TrainOptions(model, train, validation, out, fields, epochs, batchSize, gradientAccumulation, lr,
                    maxLength, unfreezeTop, unfreeze, unfreezePattern, freezeEmbeddings, schedule, warmupRatio,
                    warmupSteps, weightDecay, maxGradNorm, labelSmoothing, classWeightsAuto, seed, evalSteps, saveSteps,
                    saveTotalLimit, metricForBest, earlyStopping, maxSteps, limitTrain, evalBatchSize, dropout,
                    cacheFrozen, resume, overwrite, device, threads, task, tagFields,
                    stride >= 0 ? stride : maxLength / 4, labelAllTokens, scheme, tuneThresholds, moreTrain, masking,
                    new LayerwiseTraining(layerLrDecay, headLr, gradualUnfreeze), reinitTop, aux, null, augment);
        }
    }

    /**
     * The settings that must match for --resume to continue a run bitwise. The few-sample settings
     * appear only when set, so checkpoints written before they existed still resume.
     */
    public String fingerprint() {
        String base = String.join("|", "task=" + task, "tagFields=" + tagFields, "stride=" + stride,
                "labelAllTokens=" + labelAllTokens, "scheme=" + scheme, "tuneThresholds=" + tuneThresholds, "moreTrain=" + moreTrain.size(),
                "masking=" + masking, "fields=" + fields, "epochs=" + epochs, "batch=" + batchSize,
                "accum=" + gradientAccumulation, "lr=" + lr, "maxLength=" + maxLength, "top=" + unfreezeTop,
                "unfreeze=" + unfreeze, "pattern=" + unfreezePattern, "freezeEmb=" + freezeEmbeddings,
                "schedule=" + schedule, "warmupRatio=" + warmupRatio, "warmupSteps=" + warmupSteps,
                "wd=" + weightDecay, "clip=" + maxGradNorm, "smoothing=" + labelSmoothing,
                "classWeights=" + classWeightsAuto, "seed=" + seed, "evalSteps=" + evalSteps,
                "metric=" + metricForBest(), "maxSteps=" + maxSteps, "limitTrain=" + limitTrain,
                "dropout=" + dropout, "cacheFrozen=" + cacheFrozen);
        if (layerwise.layerLrDecay() != 1.0) base += "|layerLrDecay=" + layerwise.layerLrDecay();
        if (layerwise.headLr() > 0) base += "|headLr=" + layerwise.headLr();
        if (layerwise.gradualUnfreeze()) base += "|gradualUnfreeze=true";
        if (reinitTop > 0) base += "|reinitTop=" + reinitTop;
        if (aux != null) base += "|auxWeight=" + aux.weight() + "|auxLabelMap=" + (aux.labelMap() != null);
        if (pseudoLabelled != null) base += "|pseudoLabelled=true";
        if (augment != null) base += "|augment=" + augment.fingerprint();
        return base;
    }
}
