/*
 * `kanna train`: fine-tunes a BERT directory for a task (Task: sequence or token classification,
 * multi-label, regression) on a labelled dataset and writes a Hugging Face directory. The loop,
 * in order, the same for every task:
 *
 *   read + tokenize the data → load the model (or the newest checkpoint with --resume)
 *   --augment N: the training data draws N new rows per row afresh each epoch (AugmentedData)
 *   --reinit-top (fresh runs only): re-initialise the top layers and the pooler (ReinitTop)
 *   --cache-frozen: run the frozen lower stack once per example, keep its output (FrozenStates)
 *   for each epoch: --gradual-unfreeze: let one more layer train → shuffle (seeded by epoch)
 *       → for each group of micro-batches: one optimizer step
 *       evaluate every --eval-steps or at the epoch end → keep the best weights, count patience
 *       checkpoint every --save-steps and at the epoch end
 *   restore the best weights → write the model, tokenizer, log, metrics, plot and training record
 *
 * A run can be told each epoch's end (listen: an EpochListener, which may stop it there: a search's
 * pruner) and share its tokenized data and frozen-layer caches with other runs (share: SharedWork).
 */
package dev.kanna.trainer;

import dev.kanna.augment.Augmenter;
import dev.kanna.autograd.Parameter;
import dev.kanna.backend.Backend;
import dev.kanna.backend.BackendOptions;
import dev.kanna.backend.Backends;
import dev.kanna.bert.BertConfig;
import dev.kanna.bert.FreezePolicy;
import dev.kanna.bert.LayerDepth;
import dev.kanna.bert.LoadOptions;
import dev.kanna.bert.ReinitTop;
import dev.kanna.bert.SafetensorsWeights;
import dev.kanna.bert.WeightSource;
import dev.kanna.io.AtomicFiles;
import dev.kanna.optim.AdamW;
import dev.kanna.optim.LrSchedule;
import dev.kanna.report.ProgressBar;
import dev.kanna.tensor.HostTensor;
import dev.kanna.tokenizer.BertTokenizer;
import dev.kanna.bert.TaskModel;
import dev.kanna.task.AugmentedData;
import dev.kanna.task.DataOptions;
import dev.kanna.task.Evaluation;
import dev.kanna.task.Outputs;
import dev.kanna.task.Task;
import dev.kanna.task.TaskData;
import dev.kanna.task.Tasks;
import dev.kanna.task.TokenClassification;
import dev.kanna.train.FineTuner;
import dev.kanna.train.Loss;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;

public final class Trainer {

    /**
     * What a finished run reports; trainRows: the training rows used (after --limit-train; for token
     * classification, sentences, not the windows they become); metric: the figure that picked the best model.
     */
    public record Result(Path modelDir, TrainerState state, Map<String, Object> validation, int trainRows,
                         double trainSeconds, double samplesPerSecond, String device, String task, String metric) {
    }

    /**
     * Rows a caller read and split itself (cross-validation's folds), trained on instead of the files
     * of the options: training rows, validation rows (null: none), and the labels, which the caller
     * takes from all its rows so that every fold's model has the same.
     */
    public record Rows<R>(List<R> train, List<R> validation, List<String> labels) {
    }

    private final TrainOptions o;
    private final List<String> commandLine;
    private final Consumer<String> log;
    private EpochListener listener = EpochListener.NONE;
    private SharedWork shared;   // null: nothing shared

    /**
     * Read and tokenized data. train: the target rows' examples, then the related domain's (--aux-train)
     * when there are any; targets: the target rows' alone (the loss's class counts, the epoch's length);
     * rows: the target rows as read (what --augment draws new rows from).
     */
    private record Prepared<E extends TaskData>(List<String> labels, int trainRows, int validationRows, E train,
                                                E validation, E targets, int auxRows, int auxExamples, List<?> rows) {
    }

    public Trainer(TrainOptions options, List<String> commandLine, Consumer<String> log) {
        this.o = options;
        this.commandLine = commandLine;
        this.log = log;
    }

    /** Tells listener each epoch's end; it may stop the run there. */
    public Trainer listen(EpochListener listener) {
        this.listener = java.util.Objects.requireNonNull(listener);
        return this;
    }

    /** Takes the tokenized data and frozen-layer caches from shared when they fit this run, and leaves its own there. */
    public Trainer share(SharedWork shared) {
        this.shared = shared;
        return this;
    }

    public Result run() throws IOException {
        return run(o.taskObject(), null);
    }

    /**
     * Reads and tokenizes the data into the shared work without training (bad data fails here, before
     * any run starts); a no-op when it already holds this data.
     */
    public void prepareData() throws IOException {
        if (shared == null) throw new IllegalStateException("prepareData needs shared work to keep the data in");
        prepared(o.taskObject(), null);
    }

    /** Trains on given rows (null: the files of the options); the files are still hashed for --resume. */
    public <R, E extends TaskData> Result run(Task<R, E> task, Rows<R> given) throws IOException {
        ModelDirectory.requireTrainable(o.model());
        String metric = o.metricForBest();
        if (!metric.equals("loss") && !task.metricNames().contains(metric)) {
            throw new IllegalArgumentException("--metric-for-best: " + task.name() + " has no metric '" + metric
                    + "' (expected loss, " + String.join(", ", task.metricNames()) + ")");
        }
        if (o.tuneThresholds() && !task.calibrates()) {
            throw new IllegalArgumentException("--tune-thresholds applies to multi-label, not to " + task.name());
        }
        if (o.tuneThresholds() && (given != null ? given.validation() == null : o.validation() == null)) {
            throw new IllegalArgumentException("--tune-thresholds needs --validation data to tune on");
        }
        if (o.augment() != null && o.aux() != null) {   // before any data is read
            throw new IllegalArgumentException("--augment and --aux-train do not combine: augment the target data"
                    + " with `kanna augment` first, then train with --aux-train");
        }
        Path resumeFrom = checkOutput();
        Map<String, String> dataHashes = dataHashes();
        TrainerState saved = resumeFrom == null ? null : Checkpoints.readState(resumeFrom);
        if (saved != null) {
            if (!o.fingerprint().equals(saved.fingerprint)) {
                throw new IllegalArgumentException("--resume: " + resumeFrom + " was made with other settings ("
                        + firstDifference(saved.fingerprint, o.fingerprint()) + ")");
            }
            checkSameData(resumeFrom, saved.dataSha256, dataHashes);
        }
        // Checked before the data is read: a run that reuses shared data reads none.
        BertConfig baseConfig = BertConfig.read(o.model().resolve("config.json"));
        if (o.maxLength() > baseConfig.maxPositionEmbeddings()) {
            throw new IllegalArgumentException("--max-length " + o.maxLength() + " exceeds the model's "
                    + "max_position_embeddings (" + baseConfig.maxPositionEmbeddings() + ") in "
                    + o.model().resolve("config.json"));
        }
        if (o.reinitTop() > baseConfig.numHiddenLayers()) {
            throw new IllegalArgumentException("--reinit-top " + o.reinitTop() + " exceeds the model's "
                    + baseConfig.numHiddenLayers() + " encoder layers (num_hidden_layers in " + o.model().resolve("config.json") + ")");
        }
        Prepared<E> prepared = prepared(task, given);
        List<String> labels = prepared.labels();
        if (saved != null && !labels.equals(saved.labels)) {
            throw new IllegalArgumentException("--resume: " + resumeFrom + " was trained on labels "
                    + saved.labels + ", the data now has " + labels);
        }
        E train = prepared.train(), validation = prepared.validation();
        Loss loss = task.loss(prepared.targets(), new Task.LossOptions(o.labelSmoothing(), o.classWeightsAuto()));   // target rows' classes
        EpochBatches batches = EpochBatches.shuffled(prepared.targets().size(), o.batchSize(), o.seed());
        if (prepared.auxExamples() > 0) {
            int targets = prepared.targets().size();
            EpochBatches.Mixed plan = (EpochBatches.Mixed) EpochBatches.mixed(targets, prepared.auxExamples(), o.aux().weight(),
                    o.batchSize(), o.seed());
            batches = plan;
            log.accept(String.format(Locale.ROOT, "related-domain data: %d rows of %s at %.2f of every batch; an epoch"
                            + " holds the %d target and %d aux examples (%d batches)", prepared.auxRows(), o.aux().file(),
                    o.aux().weight(), targets, plan.auxPerEpoch(), plan.perEpoch()));
        }
        TaskData trainData = train;
        if (o.augment() != null) {
            @SuppressWarnings("unchecked")   // the rows the task read, kept beside their examples
            List<R> rows = (List<R>) prepared.rows();
            DataOptions data = o.dataOptions();
            Augmenter<R> augmenter = task.augmenter(o.augment().load(), rows, data);
            trainData = new AugmentedData<>(task, BertTokenizer.load(o.model()), rows, labels, data, o.train(), train,
                    augmenter, o.augment().copies(), o.seed());
            batches = EpochBatches.shuffled(trainData.size(), o.batchSize(), o.seed());
            log.accept(String.format(Locale.ROOT, "--augment %d: every epoch trains on the %d rows and %d new rows"
                    + " drawn for it; %s", o.augment().copies(), rows.size(), rows.size() * o.augment().copies(),
                    augmenter.describe()));
        }

        try (Backend backend = Backends.open(o.device(), new BackendOptions(o.threads(), true), log)) {
            log.accept("device: " + backend.description());
            return new Run<>(task, labels, trainData, validation, loss, backend, batches).train(resumeFrom, dataHashes, prepared.trainRows());
        }
    }

    /**
     * The run's data read and tokenized: the given rows (a fold of cross-validation), or the files of
     * the options, from the shared work when it holds this very data, else read now (and kept there).
     */
    @SuppressWarnings("unchecked")   // the key names the task, whose encode made the kept data's type
    private <R, E extends TaskData> Prepared<E> prepared(Task<R, E> task, Rows<R> given) throws IOException {
        String key = dataKey(task);
        if (given == null && shared != null && shared.data(key) instanceof Prepared<?> kept) {
            log.accept(String.format(Locale.ROOT, "reusing the tokenized data of an earlier run (%d training and %d"
                    + " validation rows)", kept.trainRows(), kept.validationRows()));
            return (Prepared<E>) kept;
        }
        DataOptions data = o.dataOptions();
        List<R> trainRows = new ArrayList<>();
        List<R> validationRows;
        List<String> labels;
        if (given != null) {
            trainRows = given.train();
            validationRows = given.validation();
            labels = given.labels();
        } else {
            for (Path file : o.trainFiles()) trainRows.addAll(task.read(file, data));
            if (o.limitTrain() > 0 && o.limitTrain() < trainRows.size()) trainRows = trainRows.subList(0, o.limitTrain());
            if (o.pseudoLabelled() != null) {   // after the limit: it cuts the labelled rows only
                trainRows = new ArrayList<>(trainRows);
                trainRows.addAll(task.read(o.pseudoLabelled(), data));
            }
            validationRows = o.validation() == null ? null : task.read(o.validation(), data);
            labels = task.labels(trainRows, o.train());
        }
        List<R> auxRows = o.aux() == null ? List.of() : o.aux().rows(task, data, labels);

        BertTokenizer tokenizer = BertTokenizer.load(o.model());
        E validation = validationRows == null ? null : task.encode(tokenizer, validationRows, labels, data,
                o.validation() != null ? o.validation() : o.train());
        E targets = task.encode(tokenizer, trainRows, labels, data, o.train());
        log.accept(String.format(Locale.ROOT, "tokenized %d training and %d validation rows (max length %d)",
                trainRows.size(), validationRows == null ? 0 : validationRows.size(), o.maxLength()));
        E train = targets;
        int auxExamples = 0;
        if (!auxRows.isEmpty()) {
            auxExamples = task.encode(tokenizer, auxRows, labels, data, o.aux().file()).size();   // errors name the aux file
            List<R> mixed = new ArrayList<>(trainRows);
            mixed.addAll(auxRows);
            train = task.encode(tokenizer, mixed, labels, data, o.train());     // examples: the target's, then the aux's
            if (train.size() != targets.size() + auxExamples) {
                throw new IllegalStateException("mixed data: " + train.size() + " examples, not " + targets.size() + " + " + auxExamples);
            }
        }
        Prepared<E> prepared = new Prepared<>(List.copyOf(labels), trainRows.size(),
                validationRows == null ? 0 : validationRows.size(), train, validation, targets, auxRows.size(), auxExamples,
                List.copyOf(trainRows));
        if (shared != null && given == null) shared.putData(key, prepared);
        return prepared;
    }

    /** What the read and tokenized data depend on: the model's tokenizer, the files, the task and its data settings. */
    private String dataKey(Task<?, ?> task) {
        return String.join("|", "model=" + o.model().toAbsolutePath().normalize(), "task=" + task.name(),
                "masking=" + o.masking(), "train=" + o.trainFiles().stream().map(p -> p.toAbsolutePath().normalize()).toList(),
                "validation=" + (o.validation() == null ? null : o.validation().toAbsolutePath().normalize()),
                "limitTrain=" + o.limitTrain(), "data=" + o.dataOptions(), "aux=" + o.aux(),
                "pseudoLabelled=" + (o.pseudoLabelled() == null ? null : o.pseudoLabelled().toAbsolutePath().normalize()));
    }

    /** Checks the out dir without touching it; returns the checkpoint to resume from, or null. */
    private Path checkOutput() throws IOException {
        Path out = o.out();
        boolean exists = Files.exists(out);
        if (o.resume()) {
            if (!exists) throw new IllegalArgumentException("--resume: " + out + " does not exist");
            return Checkpoints.newest(out).orElseThrow(() ->
                    new IllegalArgumentException("--resume: no complete checkpoint in " + out));
        }
        boolean replaces = exists && (!Files.isDirectory(out) || !isEmpty(out));
        if (replaces && !o.overwrite()) {
            throw new IllegalArgumentException(out + " already exists (use --overwrite to replace it, or --resume"
                    + " to continue the run it holds)");
        }
        if (replaces) checkSafeToDelete(out);
        return null;
    }

    /** Refuses to delete an OUT that holds (or lies in) the inputs, the working directory or the Kanna folder. */
    void checkSafeToDelete(Path out) throws IOException {
        Path dir = out.toRealPath();
        String home = System.getProperty("kanna.home");   // set by the ./kanna launcher
        String problem = null;
        if (realPath(o.model()).startsWith(dir)) problem = "holds the model directory " + o.model();
        else if (dir.startsWith(realPath(o.model()))) problem = "lies inside the model directory " + o.model();
        else if (held(dir, o.trainFiles()) != null) problem = "holds the training data " + held(dir, o.trainFiles());
        else if (o.aux() != null && held(dir, List.of(o.aux().file())) != null) problem = "holds the aux data " + o.aux().file();
        else if (o.validation() != null && realPath(o.validation()).startsWith(dir)) {
            problem = "holds the validation data " + o.validation();
        } else if (realPath(Path.of("")).startsWith(dir)) problem = "holds the working directory";
        else if (home != null && realPath(Path.of(home)).startsWith(dir)) problem = "holds the Kanna folder " + home;
        if (problem != null) {
            throw new IllegalArgumentException("--overwrite: refusing to delete " + out + ", which " + problem
                    + "; choose another --out");
        }
    }

    /** The first of files that lies in dir, or null. */
    private static Path held(Path dir, List<Path> files) throws IOException {
        for (Path f : files) if (realPath(f).startsWith(dir)) return f;
        return null;
    }

    /** The real path when the file exists (links resolved), else the absolute normalized one. */
    private static Path realPath(Path p) throws IOException {
        return Files.exists(p) ? p.toRealPath() : p.toAbsolutePath().normalize();
    }

    /** Creates the out dir once the inputs have been checked (replacing it under --overwrite). */
    private void createOutput() throws IOException {
        if (Files.exists(o.out()) && (!Files.isDirectory(o.out()) || !isEmpty(o.out()))) {
            dev.kanna.io.AtomicFiles.deleteRecursively(o.out());
        }
        Files.createDirectories(o.out());
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }

    /** One training run of a task: its data, labels and loss on an open backend. */
    private final class Run<R, E extends TaskData> {
        private final Task<R, E> task;
        private final List<String> labels;
        private final TaskData train;        // augmented on the fly under --augment
        private final E validation;          // null without validation data
        private final Loss loss;
        private final Backend backend;
        private final EpochBatches batches;

        Run(Task<R, E> task, List<String> labels, TaskData train, E validation, Loss loss, Backend backend, EpochBatches batches) {
            this.task = task;
            this.labels = labels;
            this.train = train;
            this.validation = validation;
            this.loss = loss;
            this.backend = backend;
            this.batches = batches;
        }

        Result train(Path resumeFrom, Map<String, String> dataHashes, int rows) throws IOException {
            LoadOptions load = LoadOptions.defaults().withSeed(o.seed()).withWarnings(log);
            Checkpoints.Loaded checkpoint = resumeFrom == null ? null : Checkpoints.load(resumeFrom);
            TaskModel model = loadModel(load, checkpoint);

            int microBatches = batches.perEpoch();
            long stepsPerEpoch = (microBatches + o.gradientAccumulation() - 1) / o.gradientAccumulation();
            long totalSteps = o.maxSteps() > 0 ? o.maxSteps() : (long) Math.ceil(stepsPerEpoch * o.epochs());
            long warmup = o.warmupSteps() >= 0 ? o.warmupSteps() : LrSchedule.warmupSteps(totalSteps, o.warmupRatio());
            FineTuner tuner = new FineTuner(model, freezePolicy(), new FineTuner.Settings(o.lr(),
                    new LrSchedule(o.schedule(), warmup, totalSteps),
                    AdamW.Options.defaults().withWeightDecay(o.weightDecay()), o.maxGradNorm(), loss, o.dropout(),
                    o.seed()), o.layerwise());
            if (o.layerwise().gradualUnfreeze() && tuner.groups().size() == 1) {
                throw new IllegalArgumentException("--gradual-unfreeze: the freezing policy (" + policyFlags()
                        + ") trains only the " + tuner.groups().getFirst() + ", so there is nothing to unfreeze");
            }
            // A resumed run's checkpoint holds the re-initialised layers, trained since.
            if (checkpoint == null && o.reinitTop() > 0) reinitialise(model, tuner);
            if (resumeFrom == null) createOutput();    // only now: every check on the model has passed
            log.accept("model: " + tuner.trainable().summary());
            if (o.layerwise().scalesRates()) log.accept("learning rates (peak): " + rates(model, tuner));

            TrainerState state;
            Map<String, HostTensor> best = null;
            if (checkpoint != null) {
                state = checkpoint.state();   // settings, data and labels were checked in run()
                state.dataSha256 = dataHashes;    // the same hashes (checkpoints from before they were kept: none)
                Checkpoints.removeLeftovers(o.out());
                tuner.optimizer().restore(checkpoint.optimizer());
                best = checkpoint.best();
                log.accept("resuming from " + checkpoint.dir() + " at step " + state.globalStep);
            } else {
                state = new TrainerState();
                state.fingerprint = o.fingerprint();
                state.dataSha256 = dataHashes;
                state.labels = new ArrayList<>(labels);
            }
            state.totalSteps = totalSteps;

            TrainingLog trainingLog = TrainingLog.open(o.out(), state);
            long startStep = state.globalStep;
            long start = System.nanoTime();
            long samples = 0;
            FrozenStates frozen = o.cacheFrozen()
                    ? FrozenStates.prepare(model, tuner, train, validation, o.evalBatchSize(), log, shared) : null;
            try (ProgressBar bar = new ProgressBar("train", totalSteps, "steps", startStep)) {
                while (state.globalStep < totalSteps && !state.stoppedEarly) {
                    List<String> groups = tuner.startEpoch(state.epoch);
                    if (o.layerwise().gradualUnfreeze()) {
                        log.accept(String.format(Locale.ROOT, "gradual unfreezing, epoch %d: %s train (%,d parameters)",
                                state.epoch, String.join(", ", groups),
                                tuner.training().stream().mapToLong(Parameter::size).sum()));
                    }
                    TaskData epochData = train.forEpoch(state.epoch);
                    while (state.batchInEpoch < microBatches && state.globalStep < totalSteps && !state.stoppedEarly) {
                        List<FineTuner.TrainingBatch> group = new ArrayList<>();
                        for (int g = 0; g < o.gradientAccumulation() && state.batchInEpoch < microBatches; g++) {
                            int[] indices = batches.batch(state.epoch, state.batchInEpoch);
                            group.add(frozen != null ? frozen.trainBatch(train, indices)
                                    : new FineTuner.LabelledBatch(epochData.batch(indices), epochData.targets(indices)));
                            samples += indices.length;
                            state.batchInEpoch++;
                        }
                        FineTuner.StepResult step = tuner.step(group);
                        state.globalStep = step.step();
                        double epoch = state.epoch + (double) state.batchInEpoch / microBatches;
                        TrainerState.StepLog entry = new TrainerState.StepLog(step.step(), epoch, step.loss(), step.lr(),
                                step.gradNorm());
                        state.stepLogs.add(entry);
                        trainingLog.append(entry);
                        double seconds = (System.nanoTime() - start) / 1e9;
                        bar.step(1, String.format(Locale.ROOT, "epoch %.2f loss %.4f lr %.2e %.1f samples/s", epoch,
                                step.loss(), step.lr(), samples / Math.max(1e-9, seconds)));
                        if (o.evalSteps() > 0 && state.globalStep % o.evalSteps() == 0) {
                            best = evaluate(model, tuner, frozen, state, trainingLog, best);
                        }
                        // The epoch's last step is checkpointed below, once, after its evaluation.
                        if (o.saveSteps() > 0 && state.globalStep % o.saveSteps() == 0 && state.batchInEpoch < microBatches) {
                            checkpoint(model, tuner, state, best);
                        }
                    }
                    if (state.batchInEpoch >= microBatches) {
                        if (o.evalSteps() == 0) best = evaluate(model, tuner, frozen, state, trainingLog, best);
                        state.epoch++;
                        state.batchInEpoch = 0;
                        Map<String, Object> latest = state.evalLogs.isEmpty() ? null : state.evalLogs.getLast().metrics();
                        if (listener.epochEnded(new EpochListener.EpochEnd(state.epoch, state.globalStep, latest))
                                == EpochListener.Decision.STOP && !state.stoppedEarly && state.globalStep < totalSteps) {
                            state.stoppedEarly = true;
                            log.accept("stopped after epoch " + state.epoch + " (step " + state.globalStep + ") by the epoch listener");
                        }
                        checkpoint(model, tuner, state, best);
                    }
                }
            }
            double trainSeconds = (System.nanoTime() - start) / 1e9;
            if (validation != null && (state.evalLogs.isEmpty() || state.evalLogs.getLast().step() != state.globalStep)) {
                best = evaluate(model, tuner, frozen, state, trainingLog, best);
            }
            Map<String, Object> finalMetrics = null;
            if (state.bestStep != null) {
                if (state.bestStep != state.globalStep) {
                    restore(tuner.trainable().parameters(), best);
                    log.accept("restored the best weights (step " + state.bestStep + ", " + o.metricForBest() + " "
                            + String.format(Locale.ROOT, "%.4f", state.bestMetric) + ")");
                }
                for (TrainerState.EvalLog e : state.evalLogs) if (e.step() == state.bestStep) finalMetrics = e.metrics();
            }
            Task.Calibration<R, E> calibration = null;
            if (o.tuneThresholds()) {
                float[][] outputs = validationOutputs(model, frozen);
                calibration = task.calibrate(validation, outputs, labels);
                Evaluation tuned = calibration.task().evaluate(validation, outputs, labels);
                finalMetrics = new LinkedHashMap<>();
                finalMetrics.put("loss", tuned.loss());
                finalMetrics.putAll(tuned.metrics().toJson());
                log.accept("tuned on validation: " + calibration.json() + "; then " + tuned.metrics().summary());
            }
            TrainingOutputs.write(o, commandLine, model, state, labels, finalMetrics, trainSeconds,
                    (samples) / Math.max(1e-9, trainSeconds), backend.description(), tuner.trainable().summary());
            if (calibration != null) {
                AtomicFiles.writeString(o.out().resolve(calibration.file()),
                        TrainingOutputs.JSON.writeValueAsString(calibration.json()));
            }
            return new Result(o.out(), state, finalMetrics, rows, trainSeconds,
                    samples / Math.max(1e-9, trainSeconds), backend.description(), task.name(), o.metricForBest());
        }

        /**
         * Loads the checkpoint's model, or the base model with this task's head: the base's own head
         * when it was fine-tuned for this very task and labels (training goes on), else a fresh one
         * over its encoder (staged transfer: first a related task or domain, then this one), said in one line.
         */
        private TaskModel loadModel(LoadOptions load, Checkpoints.Loaded checkpoint) throws IOException {
            Path dir = checkpoint != null ? checkpoint.dir() : o.model();
            BertConfig base = BertConfig.read(dir.resolve("config.json"));
            BertConfig config = task.configure(base, labels);
            try (SafetensorsWeights weights = SafetensorsWeights.open(dir)) {
                WeightSource source = weights;
                if (checkpoint == null && hasHead(weights) && !sameHead(base, config)) {
                    log.accept(o.model() + " was trained as " + String.join("/", base.architectures())
                            + (base.architectures().contains("BertForMaskedLM") ? "" : " for labels " + base.labels())
                            + "; its encoder starts this " + task.name() + " model, with a fresh head");
                    source = weights.without("classifier.").without("cls.");
                }
                return task.load(source, config, backend, load);
            }
        }

        /**
         * --reinit-top: re-initialises the top layers and the pooler, refusing when the freezing
         * policy would keep any of them frozen (random weights that never train).
         */
        private void reinitialise(TaskModel model, FineTuner tuner) {
            int layers = model.config().numHiddenLayers();
            java.util.Set<Parameter> trains = java.util.Set.copyOf(tuner.trainable().parameters());
            for (Parameter p : model.parameters()) {
                if (ReinitTop.selected(p, o.reinitTop(), layers) && !trains.contains(p)) {
                    throw new IllegalArgumentException("--reinit-top " + o.reinitTop() + " re-initialises " + p.name()
                            + ", which the freezing policy (" + policyFlags() + ") keeps frozen; let every re-initialised layer train");
                }
            }
            List<String> names = ReinitTop.apply(model, o.reinitTop(), o.seed());
            String which = o.reinitTop() == 1 ? "layer " + (layers - 1) : "layers " + (layers - o.reinitTop()) + "-" + (layers - 1);
            log.accept(String.format(Locale.ROOT, "--reinit-top %d: re-initialised %s%s (%d tensors: normal(0, %s)"
                            + " weights, zero biases, unit LayerNorm; seed %d)", o.reinitTop(), which,
                    names.stream().anyMatch(n -> n.startsWith("bert.pooler.")) ? " and the pooler" : "", names.size(),
                    model.config().initializerRange(), o.seed()));
        }

        /** The peak learning rate of each group that trains, top first: "head 1.00e-03, layer 1 5.00e-04, ...". */
        private String rates(TaskModel model, FineTuner tuner) {
            int layers = model.config().numHiddenLayers();
            Map<Integer, Double> byDepth = new java.util.TreeMap<>();
            List<Parameter> params = tuner.optimizer().parameters();
            for (int k = 0; k < params.size(); k++) {
                byDepth.putIfAbsent(LayerDepth.of(params.get(k), layers), o.lr() * tuner.optimizer().lrScale(k));
            }
            List<String> parts = new ArrayList<>();
            byDepth.forEach((depth, rate) -> parts.add(String.format(Locale.ROOT, "%s %.2e", LayerDepth.describe(depth, layers), rate)));
            return String.join(", ", parts);
        }

        /** Whether the weights hold a task head (a classifier, a masked-LM head). */
        private static boolean hasHead(WeightSource weights) {
            return weights.names().stream().anyMatch(n -> n.startsWith("classifier.") || n.startsWith("cls."));
        }

        /** Whether the base model's head is this task's: the same task (by its config) and the same labels. */
        private boolean sameHead(BertConfig base, BertConfig config) {
            return Tasks.of(base).name().equals(task.name()) && base.labels().equals(config.labels());
        }

        /** Evaluates on the validation data (if any), logs it, and updates the best weights and patience. */
        private Map<String, HostTensor> evaluate(TaskModel model, FineTuner tuner, FrozenStates frozen, TrainerState state,
                                                 TrainingLog trainingLog, Map<String, HostTensor> best) throws IOException {
            if (validation == null) return best;
            float[][] outputs = validationOutputs(model, frozen);
            Evaluation eval = task.evaluate(validation, outputs, labels);
            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("loss", eval.loss());
            figures.putAll(eval.metrics().toJson());
            double epoch = state.stepLogs.isEmpty() ? state.epoch : state.stepLogs.getLast().epoch();
            TrainerState.EvalLog entry = new TrainerState.EvalLog(state.globalStep, epoch, figures);
            state.evalLogs.add(entry);
            trainingLog.append(entry);
            String metric = o.metricForBest();
            double value = "loss".equals(metric) ? eval.loss() : eval.metrics().byName(metric);
            boolean lowerIsBetter = task.lowerIsBetter(metric);
            boolean improved = state.bestMetric == null || (lowerIsBetter ? value < state.bestMetric : value > state.bestMetric);
            log.accept(String.format(Locale.ROOT, "eval at step %d: loss %.4f %s%s", state.globalStep, eval.loss(),
                    eval.metrics().summary(), improved ? " (best so far)" : ""));
            if (improved) {
                state.bestMetric = value;
                state.bestStep = state.globalStep;
                state.evalsWithoutImprovement = 0;
                return snapshot(tuner.trainable().parameters());
            }
            state.evalsWithoutImprovement++;
            if (o.earlyStopping() > 0 && state.evalsWithoutImprovement >= o.earlyStopping()) {
                state.stoppedEarly = true;
                log.accept("early stopping: " + state.evalsWithoutImprovement + " evaluations without improvement");
            }
            return best;
        }

        /** The model's outputs on the validation data: from the frozen-layer cache when there is one. */
        private float[][] validationOutputs(TaskModel model, FrozenStates frozen) {
            return frozen != null ? frozen.validationOutputs(validation, o.evalBatchSize())
                    : Outputs.collect(Outputs.of(model, validation), validation, model.numOutputs(),
                    model.perToken(), o.evalBatchSize(), null);
        }

        private void checkpoint(TaskModel model, FineTuner tuner, TrainerState state, Map<String, HostTensor> best)
                throws IOException {
            Checkpoints.save(o.out(), state, model::save, o.model(), tuner.optimizer().state(), best);
            Checkpoints.prune(o.out(), o.saveTotalLimit());
            // Fault injection for the resume test: die like `kill -9` right after this checkpoint.
            if (Long.getLong("kanna.faultInjection.haltAfterStep", -1L) == state.globalStep) {
                Runtime.getRuntime().halt(137);
            }
        }
    }

    /** SHA-256 of the training (and validation) file, by role. */
    private Map<String, String> dataHashes() throws IOException {
        Map<String, String> hashes = new LinkedHashMap<>();
        List<Path> files = o.trainFiles();
        for (int i = 0; i < files.size(); i++) hashes.put(trainRole(i), TrainingOutputs.sha256(files.get(i)));
        if (o.validation() != null) hashes.put("validation", TrainingOutputs.sha256(o.validation()));
        if (o.aux() != null) for (var e : o.aux().files().entrySet()) hashes.put(e.getKey(), TrainingOutputs.sha256(e.getValue()));
        if (o.pseudoLabelled() != null) hashes.put("pseudo_labels", TrainingOutputs.sha256(o.pseudoLabelled()));
        return hashes;
    }

    /** The data-hash role of the i-th training file: "train", then "train.2", "train.3"... */
    static String trainRole(int i) {
        return i == 0 ? "train" : "train." + (i + 1);
    }

    /** Refuses to resume on other data than the checkpoint was trained on (checkpoints without hashes pass). */
    private void checkSameData(Path checkpoint, Map<String, String> saved, Map<String, String> now) {
        if (saved == null) return;
        if (saved.containsKey("validation") && !now.containsKey("validation")) {
            throw new IllegalArgumentException("--resume: " + checkpoint + " was trained with --validation data;"
                    + " give the same file again");
        }
        Map<String, Path> files = new LinkedHashMap<>();
        for (int i = 0; i < o.trainFiles().size(); i++) files.put(trainRole(i), o.trainFiles().get(i));
        if (o.validation() != null) files.put("validation", o.validation());
        if (o.aux() != null) files.putAll(o.aux().files());
        if (o.pseudoLabelled() != null) files.put("pseudo_labels", o.pseudoLabelled());
        for (var e : files.entrySet()) {
            String then = saved.get(e.getKey()), current = now.get(e.getKey());
            if (current.equals(then)) continue;
            if (then == null) {
                throw new IllegalArgumentException("--resume: " + checkpoint + " was trained without the " + e.getKey()
                        + " data " + e.getValue() + "; resume with the files it was trained on");
            }
            throw new IllegalArgumentException("--resume: the " + e.getKey() + " data " + e.getValue() + " is not what "
                    + checkpoint + " was trained on (SHA-256 " + then.substring(0, 12) + "… then, "
                    + current.substring(0, 12) + "… now)");
        }
    }

    /** The freezing policy as its flags say it: "--unfreeze-top 2", "--unfreeze all --freeze-embeddings"... */
    private String policyFlags() {
        String policy = o.unfreezePattern() != null ? "--unfreeze-pattern " + o.unfreezePattern()
                : "all".equals(o.unfreeze()) ? "--unfreeze all" : "--unfreeze-top " + o.unfreezeTop();
        return o.freezeEmbeddings() ? policy + " --freeze-embeddings" : policy;
    }

    private FreezePolicy freezePolicy() {
        FreezePolicy policy = o.unfreezePattern() != null ? FreezePolicy.pattern(o.unfreezePattern())
                : "all".equals(o.unfreeze()) ? FreezePolicy.all() : FreezePolicy.unfreezeTop(o.unfreezeTop());
        return o.freezeEmbeddings() ? policy.withFrozenEmbeddings() : policy;
    }

    static Map<String, HostTensor> snapshot(List<Parameter> parameters) {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (Parameter p : parameters) {
            out.put(p.name(), new HostTensor(p.value().shape(), p.value().backend().download(p.value())));
        }
        return out;
    }

    static void restore(List<Parameter> parameters, Map<String, HostTensor> weights) {
        for (Parameter p : parameters) {
            HostTensor t = weights.get(p.name());
            if (t == null) throw new IllegalStateException("best weights lack " + p.name());
            Backend backend = p.value().backend();
            try (var scope = backend.scope()) {
                p.assign(backend.upload(t.data(), t.shape()));
            }
        }
    }

    /** The order of examples in an epoch: a Fisher–Yates shuffle seeded by (seed, epoch). */
    static int[] permutation(int n, long seed, int epoch) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        SplittableRandom random = new SplittableRandom(dev.kanna.backend.DropoutRng.derive(seed, 0x5EED_0000L + epoch));
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    private static String firstDifference(String saved, String now) {
        String[] a = saved == null ? new String[0] : saved.split("\\|"), b = now.split("\\|");
        for (int i = 0; i < Math.min(a.length, b.length); i++) {
            if (!a[i].equals(b[i])) return "checkpoint " + a[i] + ", now " + b[i];
        }
        return "checkpoint " + saved + ", now " + now;
    }
}
