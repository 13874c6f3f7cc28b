/*
 * `kanna predict`: text lines on stdin, one JSON prediction per line on stdout, in order. Lines are
 * read in chunks and batched, so a long input streams through at batch speed.
 */
package dev.kanna.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kanna.data.DatasetException;
import dev.kanna.data.Example;
import dev.kanna.data.Utf8Lines;
import dev.kanna.trainer.Predictor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "predict",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
                "Predict with a fine-tuned model: one input per line on stdin (UTF-8; with --pair, two texts separated by a tab),",
                "one JSON object per line on stdout, by the model's task:",
                "  classification {\"label\":...,\"score\":...,\"probabilities\":{\"<label>\":p,...}}",
                "  token classification {\"entities\":[{\"label\":...,\"start\":...,\"end\":...,\"text\":...,\"score\":...}]}"
                        + " (character offsets into the line; longer lines are windowed, not cut)",
                "  multi-label {\"labels\":[...],\"probabilities\":{...}}; regression {\"value\":...}",
                "An ensemble directory (kanna ensemble) predicts as one model: its members' averaged probabilities, or their vote.",
                "Example: echo 'Subject: cheap meds, no prescription' | kanna predict --model runs/spam"})
final class PredictCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Fine-tuned model directory, or an ensemble directory.")
    Path model;
    @Option(names = "--pair", description = "Each line holds two texts separated by a tab.")
    boolean pair;
    @Option(names = "--max-length", defaultValue = "128", paramLabel = "N", description = "Tokens per input after truncation (default: ${DEFAULT-VALUE}).")
    int maxLength;
    @Option(names = "--batch-size", defaultValue = "32", paramLabel = "N", description = "Inputs per batch (default: ${DEFAULT-VALUE}).")
    int batchSize;
    @Mixin
    DeviceOptions device;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (batchSize < 1) throw new IllegalArgumentException("--batch-size must be ≥ 1");
        if (maxLength < 1) throw new IllegalArgumentException("--max-length must be ≥ 1, got " + maxLength);
        var err = spec.commandLine().getErr();
        ObjectMapper json = new ObjectMapper();
        PrintWriter out = spec.commandLine().getOut();
        try (Predictor classifier = Predictor.load(model, device.device, device.threads, maxLength, err::println);
             Utf8Lines lines = new Utf8Lines(System.in, "stdin")) {
            List<Example> chunk = new ArrayList<>();
            String line;
            while ((line = lines.readLine()) != null) {
                chunk.add(example(line, lines.lineNumber()));
                if (chunk.size() == batchSize * 4) {
                    flush(classifier, chunk, json, out);
                }
            }
            flush(classifier, chunk, json, out);
        }
        return 0;
    }

    private Example example(String line, long number) {
        if (!pair) return Example.unlabelled(line, null, number);
        int tab = line.indexOf('\t');
        if (tab < 0) throw new DatasetException("stdin:" + number + ": --pair expects two texts separated by a tab");
        return Example.unlabelled(line.substring(0, tab), line.substring(tab + 1), number);
    }

    private void flush(Predictor classifier, List<Example> chunk, ObjectMapper json, PrintWriter out)
            throws Exception {
        if (chunk.isEmpty()) return;
        for (Map<String, Object> p : classifier.predict(chunk, batchSize)) out.println(json.writeValueAsString(p));
        out.flush();
        chunk.clear();
    }
}
