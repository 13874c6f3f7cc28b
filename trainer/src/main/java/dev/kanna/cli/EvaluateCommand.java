/*
 * `kanna evaluate`: a fine-tuned model of any task on a labelled file, the task read from the
 * model's config.json. A readable table on stderr; as the last line of stdout, one JSON object with
 * the task's figures (classification: accuracy, macro figures, per class, confusion matrix; token
 * classification: entity-level precision/recall/F1 per type, micro, macro, token accuracy...).
 */
package dev.kanna.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kanna.io.AtomicFiles;
import dev.kanna.task.DataOptions;
import dev.kanna.task.Evaluation;
import dev.kanna.trainer.FineTunedModel;
import dev.kanna.trainer.Predictor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "evaluate",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
                "Evaluate a fine-tuned model on labelled data, in the form its task trains on (JSONL/CSV/TSV text rows; "
                        + "CoNLL or JSONL sentences for token classification), optionally .gz.",
                "Prints the task's figures as a table on stderr, and the same as one JSON object on the last line of stdout.",
                "An ensemble directory (kanna ensemble, train --folds --ensemble) is evaluated as one model, each member beside it.",
                "Example: kanna evaluate --model runs/spam --data test.jsonl.gz"})
final class EvaluateCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Fine-tuned model directory, or an ensemble directory.")
    Path model;
    @Option(names = "--data", required = true, paramLabel = "FILE", description = "Labelled data.")
    Path data;
    @Mixin
    FieldOptions fields;
    @Mixin
    TaskOptions taskOptions;
    @Option(names = "--max-length", defaultValue = "128", paramLabel = "N", description = "Tokens per input after truncation; token classification windows longer sentences (default: ${DEFAULT-VALUE}).")
    int maxLength;
    @Option(names = "--batch-size", defaultValue = "64", paramLabel = "N", description = "Inputs per batch (default: ${DEFAULT-VALUE}).")
    int batchSize;
    @Option(names = "--errors", paramLabel = "FILE", description = "Write what the model got wrong as JSONL: misclassified rows "
            + "with gold and predicted labels; for token classification each sentence with its missed and spurious entities.")
    Path errors;
    @Mixin
    DeviceOptions device;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        var err = spec.commandLine().getErr();
        if (batchSize < 1) throw new IllegalArgumentException("--batch-size must be ≥ 1");
        if (maxLength < 1) throw new IllegalArgumentException("--max-length must be ≥ 1, got " + maxLength);
        long start = System.nanoTime();
        if (errors != null && Files.exists(errors)) {
            throw new IllegalArgumentException("--errors: " + errors + " already exists; choose another file");
        }
        FineTunedModel.Report report;
        String task;
        List<String> metricNames;
        try (Predictor m = Predictor.load(model, device.device, device.threads, maxLength, err::println)) {
            task = m.task().name();
            metricNames = m.task().metricNames();
            report = m.evaluateWithErrors(data, new DataOptions(fields.fields(), taskOptions.tagFields(), maxLength,
                    taskOptions.stride(maxLength), false, taskOptions.scheme()), batchSize, true);
        }
        Evaluation eval = report.evaluation();
        if (errors != null) {
            ObjectMapper json = new ObjectMapper();
            StringBuilder lines = new StringBuilder();
            for (Map<String, Object> e : report.errors()) lines.append(json.writeValueAsString(e)).append('\n');
            AtomicFiles.writeString(errors, lines.toString());
            err.printf(Locale.ROOT, "%d rows with errors written to %s%n", report.errors().size(), errors);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        err.println();
        err.print(eval.metrics().toTable());
        err.printf(Locale.ROOT, "loss %.4f; %d rows in %.1f s%n", eval.loss(), eval.rows(), seconds);
        if (!report.members().isEmpty()) err.print(EnsembleReport.table(report, metricNames));
        err.flush();
        Map<String, Object> json = json(eval, task, data, seconds);
        if (!report.members().isEmpty()) json.put("members", EnsembleReport.json(report.members()));
        spec.commandLine().getOut().println(new ObjectMapper().writeValueAsString(json));
        spec.commandLine().getOut().flush();
        return 0;
    }

    static Map<String, Object> json(Evaluation eval, String task, Path data, double seconds) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("data", data.toString());
        out.put("task", task);
        out.put("rows", eval.rows());
        out.put("loss", eval.loss());
        out.putAll(eval.metrics().toJson());
        out.put("seconds", seconds);
        return out;
    }
}
