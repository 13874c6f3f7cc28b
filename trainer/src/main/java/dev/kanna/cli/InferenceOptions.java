/*
 * The options embed and logits share: the model directory, how input lines become token ids
 * (plain text through the model's tokenizer, or --ids), batching and the device.
 */
package dev.kanna.cli;

import dev.kanna.backend.Backend;
import dev.kanna.bert.BertConfig;
import dev.kanna.tokenizer.BertTokenizer;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;

final class InferenceOptions {

    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "A Hugging Face BERT directory (config.json, model.safetensors).")
    Path model;

    @Option(names = "--ids", description = "Each input line is space-separated token ids instead of text (no tokenizer "
            + "is applied: include the [CLS]/[SEP] ids yourself).")
    boolean ids;

    @Option(names = "--max-length", paramLabel = "N",
            description = "Longest input in tokens, special tokens included: longer text is truncated, longer --ids "
                    + "lines are refused (default: the model's max_position_embeddings).")
    Integer maxLength;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "32",
            description = "Inputs per forward pass (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Mixin
    DeviceOptions device;

    /** Checks the options against the model's config; returns the effective max length. */
    int validate(BertConfig config) {
        if (batchSize < 1) throw new IllegalArgumentException("--batch-size must be at least 1, got " + batchSize);
        int limit = config.maxPositionEmbeddings();
        if (maxLength == null) return limit;
        if (maxLength < 1 || maxLength > limit) {
            throw new IllegalArgumentException("--max-length " + maxLength + " is outside 1.." + limit
                    + " (the model's max_position_embeddings)");
        }
        return maxLength;
    }

    BertConfig readConfig() throws java.io.IOException {
        if (!Files.isDirectory(model)) throw new IllegalArgumentException(model + ": not a model directory");
        return BertConfig.read(model);
    }

    LineEncoder encoder(BertConfig config, int maxLength) {
        if (ids) return LineEncoder.tokenIds(config, maxLength);
        return LineEncoder.text(BertTokenizer.load(model), config, maxLength);
    }

    Backend openBackend(PrintWriter err, String command) {
        return device.open(line -> err.println("kanna " + command + ": " + line));
    }
}
