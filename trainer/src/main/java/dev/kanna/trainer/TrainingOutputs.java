/*
 * The files a finished run leaves in its out dir besides checkpoints: the model (config.json,
 * model.safetensors) and tokenizer files, metrics.json (the saved model's validation figures),
 * training_curves.svg, and training_record.json (command line, seed, data hashes, settings,
 * timings, metrics). Each file is written atomically.
 */
package dev.kanna.trainer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.kanna.bert.PretrainedBert;
import dev.kanna.io.AtomicFiles;
import dev.kanna.report.SvgPlot;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

public final class TrainingOutputs {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private TrainingOutputs() {
    }

    static void write(TrainOptions o, List<String> commandLine, PretrainedBert model, TrainerState state,
                      List<String> labels, Map<String, Object> validation, double trainSeconds, double samplesPerSecond,
                      String device, String trainable) throws IOException {
        Path out = o.out();
        model.save(out);
        Checkpoints.copyTokenizerFiles(o.model(), out);

        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("best_step", state.bestStep);
        metrics.put("metric_for_best", o.metricForBest());
        metrics.put("validation", validation);
        AtomicFiles.writeString(out.resolve("metrics.json"), JSON.writeValueAsString(metrics));

        List<SvgPlot.Point> loss = new ArrayList<>(), metric = new ArrayList<>();
        for (TrainerState.StepLog s : state.stepLogs) loss.add(new SvgPlot.Point(s.step(), s.loss()));
        for (TrainerState.EvalLog e : state.evalLogs) {
            Object v = e.metrics().get(o.metricForBest());
            if (v instanceof Number n) metric.add(new SvgPlot.Point(e.step(), n.doubleValue()));
        }
        AtomicFiles.writeString(out.resolve("training_curves.svg"),
                SvgPlot.render("kanna train: " + o.model().getFileName() + " on " + o.train().getFileName(), loss,
                        o.metricForBest(), metric));

        Map<String, Object> record = new LinkedHashMap<>();
        record.put("command_line", commandLine);
        record.put("finished", Instant.now().toString());
        record.put("kanna_version", version());
        record.put("java", Runtime.version().toString());
        record.put("device", device);
        record.put("seed", o.seed());
        record.put("base_model", o.model().toAbsolutePath().toString());
        Map<String, Object> data = new LinkedHashMap<>();
        for (int f = 0; f < o.trainFiles().size(); f++) {
            String role = Trainer.trainRole(f);
            data.put(role, fileRecord(o.trainFiles().get(f), state.dataSha256.get(role)));
        }
        if (o.validation() != null) data.put("validation", fileRecord(o.validation(), state.dataSha256.get("validation")));
        if (o.aux() != null) for (var e : o.aux().files().entrySet()) data.put(e.getKey(), fileRecord(e.getValue(), state.dataSha256.get(e.getKey())));
        if (o.pseudoLabelled() != null) data.put("pseudo_labels", fileRecord(o.pseudoLabelled(), state.dataSha256.get("pseudo_labels")));
        record.put("data", data);
        record.put("task", o.task());
        record.put("labels", labels);
        record.put("trainable", trainable);
        record.put("settings", settings(o));
        record.put("steps", state.globalStep);
        record.put("epochs_completed", state.epoch);
        record.put("stopped_early", state.stoppedEarly);
        record.put("best_step", state.bestStep);
        record.put("train_seconds", trainSeconds);
        record.put("train_samples_per_second", samplesPerSecond);
        record.put("validation", validation);
        AtomicFiles.writeString(out.resolve("training_record.json"), JSON.writeValueAsString(record));
    }

    static Map<String, Object> settings(TrainOptions o) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("epochs", o.epochs());
        s.put("batch_size", o.batchSize());
        s.put("gradient_accumulation", o.gradientAccumulation());
        s.put("learning_rate", o.lr());
        s.put("max_length", o.maxLength());
        if (o.tuneThresholds()) s.put("tune_thresholds", true);
        if (o.masking() != null) {
            s.put("mlm_probability", o.masking().probability());
            s.put("whole_word_masking", o.masking().wholeWord());
            s.put("packing", o.masking().packing().name().toLowerCase(java.util.Locale.ROOT));
        }
        if (o.task().equals(dev.kanna.task.TokenClassification.NAME)) {
            s.put("stride", o.stride());
            s.put("label_all_tokens", o.labelAllTokens());
            s.put("scheme", o.scheme() == null ? "any" : o.scheme());
        }
        s.put("unfreeze", o.unfreezePattern() != null ? "pattern:" + o.unfreezePattern()
                : "all".equals(o.unfreeze()) ? "all" : "top " + o.unfreezeTop());
        s.put("freeze_embeddings", o.freezeEmbeddings());
        s.put("layer_lr_decay", o.layerwise().layerLrDecay());
        s.put("head_lr", o.layerwise().headLr() > 0 ? o.layerwise().headLr() : o.lr());
        s.put("gradual_unfreeze", o.layerwise().gradualUnfreeze());
        s.put("reinit_top", o.reinitTop());
        if (o.aux() != null) s.put("aux_weight", o.aux().weight());
        if (o.augment() != null) s.put("augment", o.augment().toJson());
        s.put("schedule", o.schedule().name().toLowerCase());
        s.put("warmup_ratio", o.warmupRatio());
        s.put("warmup_steps", o.warmupSteps());
        s.put("weight_decay", o.weightDecay());
        s.put("max_grad_norm", o.maxGradNorm());
        s.put("label_smoothing", o.labelSmoothing());
        s.put("class_weights", o.classWeightsAuto() ? "auto" : "none");
        s.put("metric_for_best", o.metricForBest());
        s.put("early_stopping", o.earlyStopping());
        s.put("dropout", o.dropout());
        s.put("cache_frozen", o.cacheFrozen());
        s.put("limit_train", o.limitTrain());
        s.put("max_steps", o.maxSteps());
        return s;
    }

    /** A data file's record; sha256 as hashed when training started (the trainer state keeps it). */
    static Map<String, Object> fileRecord(Path file, String sha256) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("path", file.toAbsolutePath().toString());
        m.put("sha256", sha256);
        m.put("bytes", Files.size(file));
        return m;
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) digest.update(buffer, 0, n);
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Kanna's version: the jar manifest's, or the build's when run from classes (tests, IDE). */
    public static String version() {
        String v = TrainingOutputs.class.getPackage().getImplementationVersion();
        return v != null ? v : "0.1.0-SNAPSHOT";
    }
}
