/*
 * `kanna logits`: one input per stdin line, one JSON value per stdout line: the model's raw outputs
 * for its task (config.json): a sequence head's num_labels floats (classification, multi-label,
 * regression), or one array of num_labels floats per token for a token classifier; with --mlm the
 * masked-LM logits of each of the input's tokens (an array of vocab_size-float arrays per line).
 */
package dev.kanna.cli;

import dev.kanna.backend.Backend;
import dev.kanna.bert.BertConfig;
import dev.kanna.bert.BertForMaskedLM;
import dev.kanna.bert.SafetensorsWeights;
import dev.kanna.bert.TaskModel;
import dev.kanna.task.Tasks;
import dev.kanna.bert.LoadOptions;
import dev.kanna.data.Utf8Lines;
import dev.kanna.bert.Batch;
import dev.kanna.trainer.Ensemble;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;

@Command(name = "logits",
        mixinStandardHelpOptions = true,
        description = {
                "Run a fine-tuned model (or, with --mlm, a masked-LM) on inputs read one per line from stdin; "
                        + "print one JSON array of logits per line (per token for token classification and --mlm).",
                "A model without a classification head gets a fresh, untrained one (with a warning).",
                "An ensemble directory (kanna ensemble) gives its combined outputs: log of the mean probabilities "
                        + "(softmax tasks), their logit (multi-label), the mean value (regression); for a vote, of the vote shares.",
                "Example: echo 'WIN a FREE prize now' | kanna logits --model my-classifier"})
final class LogitsCommand implements Callable<Integer> {

    @Mixin
    InferenceOptions options;

    @Option(names = "--mlm", description = "Masked-LM logits per token instead of classification logits.")
    boolean mlm;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr(), out = spec.commandLine().getOut();
        if (Ensemble.isEnsemble(options.model)) return ensemble(err, out);
        BertConfig config = options.readConfig();
        LineEncoder encoder = options.encoder(config, options.validate(config));
        LoadOptions load = LoadOptions.defaults().withWarnings(w -> err.println("kanna logits: " + w));
        try (Backend backend = options.openBackend(err, "logits")) {
            Utf8Lines in = new Utf8Lines(System.in, "stdin");
            int pad = config.padTokenId() == null ? 0 : config.padTokenId();
            if (mlm) {
                BertForMaskedLM model = BertForMaskedLM.load(options.model, backend, load);
                LineBatches.forEach(in, encoder, options.batchSize, pad, (batch, lengths) -> {
                    float[][][] logits = model.logits(batch);
                    List<String> lines = new ArrayList<>(logits.length);
                    for (int i = 0; i < logits.length; i++) {
                        StringBuilder sb = new StringBuilder();
                        JsonFloats.append(sb, Arrays.copyOf(logits[i], lengths[i]));
                        lines.add(sb.toString());
                    }
                    return lines;
                }, out);
            } else {
                TaskModel model;
                try (SafetensorsWeights weights = SafetensorsWeights.open(options.model)) {
                    model = Tasks.of(config).load(weights, config, backend, load);
                }
                print(in, encoder, pad, model::outputs, model.numOutputs(), model.perToken(), out);
            }
        }
        return 0;
    }

    /** An ensemble's combined outputs, its members run in turn on each batch. */
    private int ensemble(PrintWriter err, PrintWriter out) throws Exception {
        if (mlm) throw new IllegalArgumentException("--mlm: " + options.model + " is an ensemble of task models");
        try (Ensemble ensemble = Ensemble.load(options.model, options.device.device, options.device.threads, 0,
                line -> err.println("kanna logits: " + line))) {
            BertConfig config = ensemble.config();
            int maxLength = Math.min(options.validate(config), ensemble.maxLength());
            LineEncoder encoder = options.ids ? LineEncoder.tokenIds(config, maxLength)
                    : LineEncoder.text(ensemble.tokenizer(), config, maxLength);
            int pad = config.padTokenId() == null ? 0 : config.padTokenId();
            print(new Utf8Lines(System.in, "stdin"), encoder, pad, ensemble::outputs, ensemble.numOutputs(),
                    ensemble.perToken(), out);
        }
        return 0;
    }

    /** Each line's outputs as JSON: K floats, or an array of K floats per token. */
    private void print(Utf8Lines in, LineEncoder encoder, int pad, Function<Batch, float[]> model, int k,
                       boolean perToken, PrintWriter out) throws java.io.IOException {
        LineBatches.forEach(in, encoder, options.batchSize, pad, (batch, lengths) -> {
            float[] outputs = model.apply(batch);      // (B, K) or (B, T, K)
            int row = perToken ? batch.length() * k : k;
            List<String> lines = new ArrayList<>(batch.size());
            for (int i = 0; i < batch.size(); i++) {
                StringBuilder sb = new StringBuilder();
                if (perToken) {
                    float[][] tokens = new float[lengths[i]][];
                    for (int t = 0; t < lengths[i]; t++) tokens[t] = Arrays.copyOfRange(outputs, i * row + t * k, i * row + (t + 1) * k);
                    JsonFloats.append(sb, tokens);
                } else {
                    JsonFloats.append(sb, Arrays.copyOfRange(outputs, i * row, (i + 1) * row));
                }
                lines.add(sb.toString());
            }
            return lines;
        }, out);
    }
}
