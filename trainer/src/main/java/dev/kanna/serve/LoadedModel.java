/*
 * One served model directory as the server uses it: a plain BERT or sentence-embedding model
 * (serves /embed), or a fine-tuned model of any task (serves /predict, and /embed of its encoder).
 * Which one is read from config.json's architectures: a task head (BertForSequenceClassification,
 * BertForTokenClassification) makes it fine-tuned, anything else is an encoder.
 *
 * The tokenizer, task and labels are immutable and used by request threads; the model itself
 * (embed, outputs, close) is not thread-safe and only its Batcher thread touches it.
 */
package dev.kanna.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kanna.backend.Backend;
import dev.kanna.backend.BackendOptions;
import dev.kanna.backend.Backends;
import dev.kanna.bert.Batch;
import dev.kanna.bert.BertConfig;
import dev.kanna.bert.BertModel;
import dev.kanna.bert.LoadOptions;
import dev.kanna.bert.TaskModel;
import dev.kanna.trainer.FineTunedModel;
import dev.kanna.trainer.ModelDirectory;
import dev.kanna.tokenizer.BertTokenizer;
import dev.kanna.tokenizer.Truncation;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

final class LoadedModel implements AutoCloseable {
    private static final List<String> TASK_HEADS = List.of("BertForSequenceClassification", "BertForTokenClassification");

    final String name;
    final Path dir;
    final BertConfig config;
    final BertTokenizer tokenizer;
    final int maxLength;                 // tokens per input, special tokens included
    final BertTokenizer truncating;      // cuts inputs to maxLength
    final BertTokenizer overLong;        // cuts at maxLength + 1, so an input over the limit shows (truncate: false)
    final BertTokenizer plain;           // no truncation (/tokenize)
    final BertModel.Pooling pooling;     // how /embed pools the encoder's last hidden state
    final FineTunedModel fineTuned;      // null for a plain encoder
    private final BertModel encoder;
    private final Backend backend;

    private LoadedModel(String name, Path dir, BertConfig config, BertTokenizer tokenizer, int maxLength,
                        BertModel.Pooling pooling, FineTunedModel fineTuned, BertModel encoder, Backend backend) {
        this.name = name;
        this.dir = dir;
        this.config = config;
        this.tokenizer = tokenizer;
        this.maxLength = maxLength;
        this.truncating = tokenizer.withTruncation(Truncation.of(maxLength)).withoutPadding();
        this.overLong = tokenizer.withTruncation(Truncation.of(maxLength + 1)).withoutPadding();
        this.plain = tokenizer.withoutTruncation().withoutPadding();
        this.pooling = pooling;
        this.fineTuned = fineTuned;
        this.encoder = encoder;
        this.backend = backend;
    }

    /** Loads dir; a directory that cannot serve is an exception whose message names it and why. */
    static LoadedModel load(String name, Path dir, ServerOptions options, Consumer<String> log) throws IOException {
        ModelDirectory.requireTrainable(dir);
        BertConfig config = BertConfig.read(dir);
        int limit = config.maxPositionEmbeddings();
        int maxLength = options.maxInputLength() == 0 ? limit : options.maxInputLength();
        if (maxLength > limit) {
            throw new IllegalArgumentException("--max-input-length " + maxLength + " exceeds " + dir
                    + "'s max_position_embeddings (" + limit + ")");
        }
        BertModel.Pooling pooling = pooling(dir, options.pooling());
        if (config.architectures().stream().anyMatch(TASK_HEADS::contains)) {
            FineTunedModel model = FineTunedModel.load(dir, options.device(), options.threads(), maxLength, log);
            return new LoadedModel(name, dir, config, model.tokenizer(), maxLength, pooling, model,
                    model.model().bert(), model.backend());
        }
        Backend backend = Backends.open(options.device(), new BackendOptions(options.threads(), true), log);
        try {
            BertModel encoder = BertModel.load(dir, backend, LoadOptions.defaults().withWarnings(log));
            return new LoadedModel(name, dir, config, BertTokenizer.load(dir), maxLength, pooling, null, encoder, backend);
        } catch (IOException | RuntimeException e) {
            backend.close();
            throw e;
        }
    }

    /**
     * The pooling asked for, else the one sentence-transformers' 1_Pooling/config.json names, else
     * mean (as `kanna embed`).
     */
    static BertModel.Pooling pooling(Path dir, String asked) throws IOException {
        if (asked != null) {
            return switch (asked.toLowerCase(Locale.ROOT)) {
                case "mean" -> BertModel.Pooling.MEAN;
                case "cls" -> BertModel.Pooling.CLS;
                default -> throw new IllegalArgumentException("--pooling must be mean or cls, got '" + asked + "'");
            };
        }
        Path file = dir.resolve("1_Pooling").resolve("config.json");
        if (!Files.isRegularFile(file)) return BertModel.Pooling.MEAN;
        JsonNode pooling = new ObjectMapper().readTree(file.toFile());
        if (pooling.path("pooling_mode_cls_token").asBoolean(false)) return BertModel.Pooling.CLS;
        if (pooling.path("pooling_mode_mean_tokens").asBoolean(false)) return BertModel.Pooling.MEAN;
        throw new IllegalArgumentException(file + ": only mean and cls pooling are supported");
    }

    boolean predicts() {
        return fineTuned != null;
    }

    /** Whether the task head gives one row per token (token classification windows long inputs rather than cutting them). */
    boolean perToken() {
        return fineTuned != null && fineTuned.model().perToken();
    }

    /** The model's task name, or "embedding" for a plain encoder. */
    String kind() {
        return fineTuned == null ? "embedding" : fineTuned.task().name();
    }

    int padId() {
        return config.padTokenId() == null ? 0 : config.padTokenId();
    }

    // Batcher thread only ---------------------------------------------------------------------

    /** One pooled vector per sequence of batch. */
    float[][] embed(Batch batch) {
        return encoder.embed(batch, pooling);
    }

    /** The task head's outputs of batch, row-major (B, K) or (B, T, K). */
    float[] outputs(Batch batch) {
        return fineTuned.model().outputs(batch);
    }

    TaskModel taskModel() {
        return fineTuned.model();
    }

    @Override
    public void close() {
        backend.close();
    }
}
