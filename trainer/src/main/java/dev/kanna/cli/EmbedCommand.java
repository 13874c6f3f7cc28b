/*
 * `kanna embed`: one input per stdin line, one JSON array per stdout line: the last hidden state
 * pooled over the input's tokens (mean, attention-masked, as sentence-transformers) or its first
 * ([CLS]) position.
 */
package dev.kanna.cli;

import dev.kanna.backend.Backend;
import dev.kanna.bert.BertConfig;
import dev.kanna.bert.BertModel;
import dev.kanna.bert.LoadOptions;
import dev.kanna.data.Utf8Lines;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "embed",
        mixinStandardHelpOptions = true,
        description = {
                "Embed inputs read one per line from stdin; print one JSON array of floats per line.",
                "Example: echo 'Kanna planes BERT to a fine finish.' | kanna embed --model models/all-MiniLM-L6-v2"})
final class EmbedCommand implements Callable<Integer> {

    @Mixin
    InferenceOptions options;

    @Option(names = "--pooling", paramLabel = "mean|cls", defaultValue = "mean",
            description = "mean: attention-masked mean of the token states; cls: the first position (default: ${DEFAULT-VALUE}).")
    String pooling;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        BertModel.Pooling mode = switch (pooling.toLowerCase(Locale.ROOT)) {
            case "mean" -> BertModel.Pooling.MEAN;
            case "cls" -> BertModel.Pooling.CLS;
            default -> throw new IllegalArgumentException("--pooling must be mean or cls, got '" + pooling + "'");
        };
        PrintWriter err = spec.commandLine().getErr(), out = spec.commandLine().getOut();
        BertConfig config = options.readConfig();
        LineEncoder encoder = options.encoder(config, options.validate(config));
        try (Backend backend = options.openBackend(err, "embed")) {
            BertModel model = BertModel.load(options.model, backend, LoadOptions.defaults().withWarnings(w -> err.println("kanna embed: " + w)));
            Utf8Lines in = new Utf8Lines(System.in, "stdin");
            int pad = config.padTokenId() == null ? 0 : config.padTokenId();
            LineBatches.forEach(in, encoder, options.batchSize, pad, (batch, lengths) -> {
                List<String> lines = new ArrayList<>(batch.size());
                for (float[] vector : model.embed(batch, mode)) {
                    StringBuilder sb = new StringBuilder();
                    JsonFloats.append(sb, vector);
                    lines.add(sb.toString());
                }
                return lines;
            }, out);
        }
        return 0;
    }
}
