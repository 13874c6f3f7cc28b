/*
 * `kanna train --folds K`: stratified K-fold cross-validation (Folds), one normal training run per
 * fold, each on the other folds' rows with its best checkpoint picked on its own held-out rows; the
 * labels come from all the rows, so every fold's model has the same and they form an ensemble.
 *
 *   OUT/fold-1 .. fold-K   each a train output directory (model, metrics.json, log, checkpoints)
 *   OUT/folds.json         the fold (1-based) that held out each training row, the seed, the strata
 *                          (written first: --resume checks that it splits the rows the same way)
 *   OUT/metrics.json       each fold's held-out figures, their mean and sample standard deviation
 *                          (n − 1); with --validation, each fold model's and the folds' ensemble's
 *                          figures on that file as well
 *   OUT/ensemble.json      with --ensemble: the K fold models as one ensemble (their mean
 *                          probabilities, weighted by their held-out score), so OUT is a model
 *                          evaluate, predict and logits take
 *
 * A --validation file does not choose anything here (each fold chooses on its held-out rows): it is
 * a held-out test, scored by every fold model and by their ensemble once training is done. Killed
 * and rerun with --resume, finished folds are kept and the fold under way resumes from its checkpoint.
 */
package dev.kanna.trainer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kanna.io.AtomicFiles;
import dev.kanna.task.DataOptions;
import dev.kanna.task.Evaluation;
import dev.kanna.task.Stratification;
import dev.kanna.task.Task;
import dev.kanna.task.TaskData;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

public final class CrossValidation {
    public static final String FOLDS_FILE = "folds.json";

    /**
     * A finished cross-validation: each fold's run, the mean and standard deviation of their
     * held-out figures, and (with a --validation file, else null) the evaluation of the fold models
     * and their ensemble on it. metrics: the JSON written to metrics.json.
     */
    public record Result(Path out, String task, String metric, List<Trainer.Result> folds, Map<String, Double> mean,
                         Map<String, Double> std, FineTunedModel.Report onValidationFile, Map<String, Object> metrics) {
    }

    private final TrainOptions o;
    private final int k;
    private final boolean ensemble;
    private final List<String> commandLine;
    private final Consumer<String> log;

    /** @param ensemble whether OUT also becomes the folds' ensemble (ensemble.json) */
    public CrossValidation(TrainOptions options, int folds, boolean ensemble, List<String> commandLine, Consumer<String> log) {
        this.o = options;
        this.k = folds;
        this.ensemble = ensemble;
        this.commandLine = commandLine;
        this.log = log;
    }

    public Result run() throws IOException {
        return run(o.taskObject());
    }

    private <R, E extends TaskData> Result run(Task<R, E> task) throws IOException {
        ModelDirectory.requireTrainable(o.model());
        DataOptions data = o.dataOptions();
        List<R> rows = new ArrayList<>();
        for (Path file : o.trainFiles()) rows.addAll(task.read(file, data));
        if (o.limitTrain() > 0 && o.limitTrain() < rows.size()) rows = rows.subList(0, o.limitTrain());
        List<String> labels = task.labels(rows, o.train());
        Stratification strata = task.stratification(rows);
        int[] fold = Folds.assign(strata, k, o.seed(), o.train());
        if (o.validation() != null) task.read(o.validation(), data);   // a bad file fails now, not after K runs
        prepareOutput();
        checkSameFolds(fold);
        writeFolds(fold, strata);

        List<Trainer.Result> runs = new ArrayList<>();
        List<Path> dirs = new ArrayList<>();
        for (int f = 0; f < k; f++) {
            List<R> train = new ArrayList<>(), heldOut = new ArrayList<>();
            for (int i = 0; i < rows.size(); i++) (fold[i] == f ? heldOut : train).add(rows.get(i));
            Path dir = o.out().resolve("fold-" + (f + 1));
            boolean resume = o.resume() && Checkpoints.newest(dir).isPresent();
            if (o.resume() && !resume) AtomicFiles.deleteRecursively(dir);   // started, but not as far as a checkpoint
            String prefix = "fold " + (f + 1) + "/" + k + ": ";
            log.accept(prefix + train.size() + " training rows, " + heldOut.size() + " held out");
            Trainer.Result run = new Trainer(o.forFold(dir, resume), commandLine, line -> log.accept(prefix + line))
                    .run(task, new Trainer.Rows<>(train, heldOut, labels));
            recordFold(dir, f, train.size(), heldOut.size());
            runs.add(run);
            dirs.add(dir);
        }

        List<Map<String, Object>> figures = runs.stream().map(Trainer.Result::validation).toList();
        Map<String, Double> mean = new LinkedHashMap<>(), std = new LinkedHashMap<>();
        summarise(figures, mean, std);
        EnsembleManifest manifest = EnsembleManifest.create(dirs, o.out(), EnsembleManifest.Weighting.VALIDATION,
                EnsembleManifest.Method.MEAN);
        FineTunedModel.Report onFile = o.validation() == null ? null : evaluateOnFile(dirs, manifest, data);

        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("folds", k);
        metrics.put("seed", o.seed());
        metrics.put("stratified_by", strataName(strata));
        metrics.put("metric_for_best", o.metricForBest());
        List<Map<String, Object>> each = new ArrayList<>();
        for (int f = 0; f < k; f++) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("fold", f + 1);
            e.put("model_dir", "fold-" + (f + 1));
            e.put("train_rows", runs.get(f).trainRows());
            e.put("held_out_rows", rows.size() - runs.get(f).trainRows());
            e.put("best_step", runs.get(f).state().bestStep);
            e.put("validation", figures.get(f));
            each.add(e);
        }
        metrics.put("fold_metrics", each);
        metrics.put("mean", mean);
        metrics.put("std", std);
        if (onFile != null) metrics.put("validation_file", validationFileJson(onFile));
        if (ensemble) metrics.put("ensemble", EnsembleManifest.FILE);

        if (ensemble) manifest.write(o.out());
        AtomicFiles.writeString(o.out().resolve("metrics.json"), TrainingOutputs.JSON.writeValueAsString(metrics));
        return new Result(o.out(), task.name(), o.metricForBest(), runs, mean, std, onFile, metrics);
    }

    /** OUT must be new or empty, unless --resume (it continues) or --overwrite (it is replaced, when safe to delete). */
    private void prepareOutput() throws IOException {
        Path out = o.out();
        boolean holdsFiles = Files.exists(out) && (!Files.isDirectory(out) || hasFiles(out));
        if (o.resume()) {
            if (!Files.isDirectory(out)) throw new IllegalArgumentException("--resume: " + out + " does not exist");
        } else if (holdsFiles) {
            if (!o.overwrite()) {
                throw new IllegalArgumentException(out + " already exists (use --overwrite to replace it, or --resume"
                        + " to continue the cross-validation it holds)");
            }
            new Trainer(o, commandLine, log).checkSafeToDelete(out);
            AtomicFiles.deleteRecursively(out);
        }
        Files.createDirectories(out);
    }

    private static boolean hasFiles(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.findAny().isPresent();
        }
    }

    /** The fold models and their ensemble (as --ensemble writes it) on the --validation file. */
    private FineTunedModel.Report evaluateOnFile(List<Path> dirs, EnsembleManifest manifest, DataOptions data)
            throws IOException {
        log.accept("evaluating the " + k + " fold models and their ensemble on " + o.validation());
        List<String> names = manifest.members().stream().map(EnsembleManifest.Member::path).toList();
        try (Ensemble e = Ensemble.open(dirs, names, manifest.weights(), manifest.method(), o.device(), o.threads(),
                o.maxLength(), log)) {
            return e.evaluateWithErrors(o.validation(), data, o.evalBatchSize(), true);
        }
    }

    private Map<String, Object> validationFileJson(FineTunedModel.Report report) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("path", o.validation().toString());
        out.put("rows", report.evaluation().rows());
        List<Map<String, Object>> each = new ArrayList<>();
        for (Ensemble.MemberEvaluation m : report.members()) each.add(figures(m.evaluation()));
        Map<String, Double> mean = new LinkedHashMap<>(), std = new LinkedHashMap<>();
        summarise(each, mean, std);
        out.put("folds", each);
        out.put("mean", mean);
        out.put("std", std);
        out.put("ensemble", figures(report.evaluation()));
        return out;
    }

    /** An evaluation's loss and figures, as metrics.json holds them. */
    public static Map<String, Object> figures(Evaluation e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("loss", e.loss());
        m.putAll(e.metrics().toJson());
        return m;
    }

    /** The mean and sample standard deviation (n − 1) of each numeric figure the runs share. */
    static void summarise(List<Map<String, Object>> runs, Map<String, Double> mean, Map<String, Double> std) {
        for (var entry : runs.getFirst().entrySet()) {
            if (!(entry.getValue() instanceof Number)) continue;
            double[] values = new double[runs.size()];
            boolean all = true;
            for (int r = 0; r < values.length; r++) {
                if (runs.get(r).get(entry.getKey()) instanceof Number n) values[r] = n.doubleValue();
                else all = false;
            }
            if (!all) continue;
            double sum = 0;
            for (double v : values) sum += v;
            double m = sum / values.length, squares = 0;
            for (double v : values) squares += (v - m) * (v - m);
            mean.put(entry.getKey(), m);
            std.put(entry.getKey(), values.length > 1 ? Math.sqrt(squares / (values.length - 1)) : 0.0);
        }
    }

    private static String strataName(Stratification strata) {
        return switch (strata) {
            case Stratification.ByClasses c -> c.kind().equals("class") ? "class" : c.kind() + "-set";
            case Stratification.ByValue v -> "value (binned)";
        };
    }

    /** --resume: the folds must be those the run began with (another K, seed or data would mix two splits). */
    private void checkSameFolds(int[] fold) throws IOException {
        Path file = o.out().resolve(FOLDS_FILE);
        if (!o.resume() || !Files.isRegularFile(file)) return;
        JsonNode saved = TrainingOutputs.JSON.readTree(file.toFile()).get("fold_of_row");
        boolean same = saved != null && saved.isArray() && saved.size() == fold.length;
        for (int i = 0; same && i < fold.length; i++) same = saved.get(i).asInt() == fold[i] + 1;
        if (!same) {
            throw new IllegalArgumentException("--resume: " + file + " holds another split of the rows (other --folds,"
                    + " --seed, --limit-train or data); resume with the settings the run began with");
        }
    }

    /** folds.json: the fold that held out each training row, in the order of the training file(s). */
    private void writeFolds(int[] fold, Stratification strata) throws IOException {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("folds", k);
        out.put("seed", o.seed());
        out.put("stratified_by", strataName(strata));
        out.put("train", o.train().toString());
        int[] oneBased = new int[fold.length];
        for (int i = 0; i < fold.length; i++) oneBased[i] = fold[i] + 1;
        out.put("fold_of_row", oneBased);
        AtomicFiles.writeString(o.out().resolve(FOLDS_FILE), TrainingOutputs.JSON.writeValueAsString(out));
    }

    /** Adds which fold the run was to its training_record.json. */
    private void recordFold(Path dir, int f, int trainRows, int heldOut) throws IOException {
        Path file = dir.resolve("training_record.json");
        JsonNode record = TrainingOutputs.JSON.readTree(file.toFile());
        Map<String, Object> fold = new LinkedHashMap<>();
        fold.put("fold", f + 1);
        fold.put("folds", k);
        fold.put("train_rows", trainRows);
        fold.put("held_out_rows", heldOut);
        fold.put("folds_file", "../" + FOLDS_FILE);
        ((ObjectNode) record).set("cross_validation", TrainingOutputs.JSON.valueToTree(fold));
        AtomicFiles.writeString(file, TrainingOutputs.JSON.writeValueAsString(record));
    }
}
