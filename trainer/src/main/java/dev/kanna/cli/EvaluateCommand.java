/*
 * `kanna evaluate`: a fine-tuned classifier on a labelled file. A readable table on stderr; as the
 * last line of stdout, one JSON object with accuracy, macro figures, per-class figures and the
 * confusion matrix.
 */
package dev.kanna.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kanna.trainer.Evaluation;
import dev.kanna.trainer.TextClassifier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "evaluate",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
                "Evaluate a fine-tuned classifier on labelled data (JSONL, CSV or TSV, optionally .gz).",
                "Prints per-class precision/recall/F1, macro averages, accuracy and the confusion matrix on stderr, "
                        + "and the same as one JSON object on the last line of stdout.",
                "Example: kanna evaluate --model runs/spam --data test.jsonl.gz"})
final class EvaluateCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Fine-tuned model directory.")
    Path model;
    @Option(names = "--data", required = true, paramLabel = "FILE", description = "Labelled data.")
    Path data;
    @Mixin
    FieldOptions fields;
    @Option(names = "--max-length", defaultValue = "128", paramLabel = "N", description = "Tokens per input after truncation (default: ${DEFAULT-VALUE}).")
    int maxLength;
    @Option(names = "--batch-size", defaultValue = "64", paramLabel = "N", description = "Inputs per batch (default: ${DEFAULT-VALUE}).")
    int batchSize;
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
        Evaluation eval;
        try (TextClassifier classifier = TextClassifier.load(model, device.device, device.threads, maxLength, err::println)) {
            eval = classifier.evaluate(data, fields.fields(), batchSize,
                    true);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        err.println();
        err.print(eval.metrics().toTable());
        err.printf(Locale.ROOT, "loss %.4f; %d rows in %.1f s%n", eval.loss(), eval.predictions().length, seconds);
        err.flush();
        spec.commandLine().getOut().println(new ObjectMapper().writeValueAsString(json(eval, data, seconds)));
        spec.commandLine().getOut().flush();
        return 0;
    }

    static Map<String, Object> json(Evaluation eval, Path data, double seconds) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("data", data.toString());
        out.put("rows", eval.predictions().length);
        out.put("loss", eval.loss());
        out.putAll(eval.metrics().toJson());
        out.put("seconds", seconds);
        return out;
    }
}
