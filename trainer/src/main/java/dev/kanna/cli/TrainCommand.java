/*
 * `kanna train`: fine-tune a BERT directory on a labelled dataset (see dev.kanna.trainer.Trainer).
 * Progress on stderr; the summary as one JSON object, the last line of stdout.
 */
package dev.kanna.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kanna.trainer.TrainOptions;
import dev.kanna.trainer.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "train",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
                "Fine-tune a pretrained BERT (a Hugging Face directory) for a task on your data: --task "
                        + "sequence-classification (default), token-classification (NER), multi-label or regression.",
                "Text tasks: JSONL, CSV or TSV (optionally .gz) with a text and a label field (multi-label: a JSON array or "
                        + "a string split on --label-separator; regression: a number). Labels are mapped to ids in sorted "
                        + "order, saved in the model's config.json.",
                "Token classification: CoNLL (a word and its tag per line, blank lines between sentences) or JSONL "
                        + "{\"tokens\": [...], \"tags\": [...]}; IOB1, IOB2, IOBES or BILOU tags.",
                "The top --unfreeze-top encoder layers and the head train; the rest stay frozen.",
                "OUT becomes a Hugging Face directory (transformers loads it unchanged) with training_log.jsonl, "
                        + "metrics.json, training_curves.svg, training_record.json and checkpoint-<step>/ folders.",
                "With --folds K: K-fold cross-validation instead (OUT/fold-1..K, their mean ± sd in OUT/metrics.json).",
                "Example: kanna train --model models/all-MiniLM-L6-v2 --train train.jsonl.gz "
                        + "--validation validation.jsonl.gz --out runs/spam"})
final class TrainCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Pretrained model directory (config.json, model.safetensors, tokenizer.json or vocab.txt).")
    Path model;
    @Option(names = "--train", required = true, paramLabel = "FILE", description = "Training data.")
    Path train;
    @Option(names = "--validation", paramLabel = "FILE", description = "Validation data: evaluated each epoch (or every --eval-steps); the best model is kept.")
    Path validation;
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory (must not exist, unless --overwrite or --resume).")
    Path out;

    @Option(names = "--task", defaultValue = "sequence-classification", paramLabel = "TASK", description = "sequence-classification, token-classification, multi-label or regression (default: ${DEFAULT-VALUE}).")
    String task;

    @Mixin
    FieldOptions fields;
    @Mixin
    TaskOptions taskOptions;
    @Option(names = "--tune-thresholds", description = "Multi-label: after training, tune each label's decision threshold (0.05 ... 0.95) for its F1 on the validation data; saved beside the model (label_thresholds.json), used by evaluate and predict.")
    boolean tuneThresholds;
    @Option(names = "--label-all-tokens", description = "Token classification: a word's later pieces also carry its tag (B- as I-) in the loss, instead of only its first piece.")
    boolean labelAllTokens;

    @Option(names = "--max-length", defaultValue = "128", paramLabel = "N", description = "Tokens per sequence after truncation, [CLS] and [SEP] included (default: ${DEFAULT-VALUE}).")
    int maxLength;

    @Option(names = "--label-smoothing", defaultValue = "0", paramLabel = "E", description = "Cross-entropy label smoothing (default: ${DEFAULT-VALUE}).")
    double labelSmoothing;
    @Option(names = "--class-weights", defaultValue = "none", paramLabel = "auto|none", description = "auto: weight the loss by inverse class frequency, for imbalanced data (default: ${DEFAULT-VALUE}).")
    String classWeights;
    @Option(names = "--metric-for-best", paramLabel = "NAME", description = "The validation figure that picks the best model, or loss. Classification: macro_f1 (default), accuracy, "
            + "macro_precision, macro_recall, weighted_f1; token classification: f1 (entity-level, default), precision, recall, macro_f1, weighted_f1, accuracy; "
            + "multi-label: micro_f1 (default), macro_f1, subset_accuracy...; regression: mse (default), mae, pearson, spearman.")
    String metricForBest;
    @Option(names = "--limit-train", defaultValue = "0", paramLabel = "N", description = "Use only the first N training rows.")
    int limitTrain;
    @Option(names = "--cache-frozen", description = "Compute the frozen embeddings and lower layers once per example, keep their output on the host (tokens × hidden × 4 bytes) and train the layers above from it in every epoch (dropout is off in the frozen layers then).")
    boolean cacheFrozen;
    @Mixin
    TrainingOptions training;
    @Mixin
    CrossValidationOptions crossValidation;

    @Mixin
    ScarceDataOptions scarce;

    @Mixin
    AugmentTrainingOptions augment;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        var selfTraining = scarce.selfTraining();
        if (crossValidation.requested()) {
            if (selfTraining != null) throw new IllegalArgumentException("--folds and --self-training do not combine: run one, then the other");
            return crossValidation.run(spec, options());
        }
        return selfTraining == null ? TrainCommand.run(spec, options()) : scarce.runSelfTraining(spec, options(), selfTraining);
    }

    TrainOptions options() {
        if (maxLength < 3) throw new IllegalArgumentException("--max-length must be ≥ 3, got " + maxLength);
        if (!classWeights.equals("auto") && !classWeights.equals("none")) {
            throw new IllegalArgumentException("--class-weights takes auto or none, got '" + classWeights + "'");
        }
        var chosen = dev.kanna.task.Tasks.named(task);
        if (metricForBest != null && !metricForBest.equals("loss") && !chosen.metricNames().contains(metricForBest)) {
            throw new IllegalArgumentException("--metric-for-best: " + task + " has no metric '" + metricForBest
                    + "' (expected loss, " + String.join(", ", chosen.metricNames()) + ")");
        }
        taskOptions.scheme();   // an unknown scheme fails before any data is read
        if (taskOptions.stride < -1) throw new IllegalArgumentException("--stride must be ≥ 0, got " + taskOptions.stride);
        if (labelSmoothing < 0 || labelSmoothing >= 1) throw new IllegalArgumentException("--label-smoothing must be in [0, 1)");
        TrainingOptions.atLeast("--limit-train", limitTrain, 0);
        return training.apply(TrainOptions.builder(model, train, out), 2e-5, false)
                .validation(validation).fields(fields.fields()).maxLength(maxLength).labelSmoothing(labelSmoothing)
                .classWeightsAuto(classWeights.equals("auto")).metricForBest(metricForBest).limitTrain(limitTrain)
                .cacheFrozen(cacheFrozen).task(task).tagFields(taskOptions.tagFields())
                .stride(taskOptions.stride(maxLength)).labelAllTokens(labelAllTokens).scheme(taskOptions.scheme)
                .tuneThresholds(tuneThresholds).aux(scarce.aux()).augment(augment.settings()).build();
    }

    /**
     * Runs a training command (train, pretrain): progress and log lines on stderr, the readable
     * summary, then the JSON summary as the last line of stdout; the command line is recorded.
     */
    static int run(CommandSpec spec, TrainOptions options) throws java.io.IOException {
        var err = spec.commandLine().getErr();
        List<String> commandLine = new ArrayList<>(List.of("kanna"));   // originalArgs starts with the command
        commandLine.addAll(spec.commandLine().getParseResult().originalArgs());
        Trainer.Result result = new Trainer(options, commandLine, line -> {
            err.println(line);
            err.flush();
        }).run();
        err.println(humanSummary(result));
        spec.commandLine().getOut().println(new ObjectMapper().writeValueAsString(summary(result)));
        spec.commandLine().getOut().flush();
        return 0;
    }

    static Map<String, Object> summary(Trainer.Result result) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("model_dir", result.modelDir().toString());
        s.put("steps", result.state().globalStep);
        s.put("best_step", result.state().bestStep);
        s.put("train_rows", result.trainRows());
        s.put("task", result.task());
        if (result.validation() != null) {
            for (String name : headline(result)) s.put(name, result.validation().get(name));
            s.put("validation", result.validation());
        }
        s.put("train_seconds", result.trainSeconds());
        s.put("train_samples_per_second", result.samplesPerSecond());
        s.put("device", result.device());
        return s;
    }

    /** The figures a summary leads with: the metric that picked the model, then accuracy when the task has it. */
    static List<String> headline(Trainer.Result r) {
        List<String> names = new ArrayList<>(List.of(r.metric()));
        for (String extra : List.of("perplexity", "accuracy", "macro_f1")) {
            if (!names.contains(extra) && r.validation().containsKey(extra)) names.add(extra);
        }
        return names;
    }

    static String humanSummary(Trainer.Result r) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "trained %d steps in %s (%.1f samples/s) on %s%n", r.state().globalStep,
                dev.kanna.report.ProgressBar.formatDuration(r.trainSeconds()), r.samplesPerSecond(), r.device()));
        if (r.validation() != null) {
            List<String> figures = new ArrayList<>();
            for (String name : headline(r)) {
                if (r.validation().get(name) instanceof Number v) figures.add(String.format(Locale.ROOT, "%s %.4f", name, v.doubleValue()));
            }
            sb.append(String.format(Locale.ROOT, "best validation (step %d): %s%n", r.state().bestStep,
                    String.join(", ", figures)));
        }
        sb.append("model saved to ").append(r.modelDir());
        return sb.toString();
    }
}
