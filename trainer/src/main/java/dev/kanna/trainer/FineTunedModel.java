/*
 * A fine-tuned model of any task, ready for use: the model, its tokenizer, its labels and its task
 * (read from config.json: architectures and problem_type), loaded from a directory `kanna train`
 * (or transformers' save_pretrained) wrote. The library entry point behind evaluate and predict:
 *
 *   try (FineTunedModel m = FineTunedModel.load(Path.of("runs/ncbi"), "auto", 0, 0, System.err::println)) {
 *       List<Map<String, Object>> out = m.predict(List.of(Example.unlabelled("Colon cancer ...", null, 1)), 32);
 *   }
 */
package dev.kanna.trainer;

import dev.kanna.backend.Backend;
import dev.kanna.backend.BackendOptions;
import dev.kanna.backend.Backends;
import dev.kanna.bert.BertConfig;
import dev.kanna.bert.LoadOptions;
import dev.kanna.bert.SafetensorsWeights;
import dev.kanna.bert.TaskModel;
import dev.kanna.data.Example;
import dev.kanna.report.ProgressBar;
import dev.kanna.task.DataOptions;
import dev.kanna.task.Evaluation;
import dev.kanna.task.Outputs;
import dev.kanna.task.Task;
import dev.kanna.task.TaskData;
import dev.kanna.task.Tasks;
import dev.kanna.tokenizer.BertTokenizer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

public final class FineTunedModel implements Predictor {
    private final Backend backend;
    private final boolean ownsBackend;   // false: an ensemble's member, on the ensemble's backend
    private final Task<?, ?> task;
    private final TaskModel model;
    private final BertTokenizer tokenizer;
    private final int maxLength;

    private FineTunedModel(Backend backend, boolean ownsBackend, Task<?, ?> task, TaskModel model,
                           BertTokenizer tokenizer, int maxLength) {
        this.backend = backend;
        this.ownsBackend = ownsBackend;
        this.task = task;
        this.model = model;
        this.tokenizer = tokenizer;
        this.maxLength = maxLength;
    }

    /**
     * @param maxLength tokens per input after truncation (0: the model's max_position_embeddings);
     *                  token classification splits longer sentences into windows instead
     * @param log       where device choices and warnings go
     */
    public static FineTunedModel load(Path dir, String device, int threads, int maxLength, Consumer<String> log)
            throws IOException {
        ModelDirectory.requireTrainable(dir);
        BertConfig config = BertConfig.read(dir.resolve("config.json"));
        checkMaxLength(config, maxLength);
        Backend backend = Backends.open(device, new BackendOptions(threads, true), log);
        try {
            return load(dir, config, backend, true, maxLength, log);
        } catch (IOException | RuntimeException e) {
            backend.close();
            throw e;
        }
    }

    /** A model on a backend it does not own (an ensemble's member): closing it leaves the backend open. */
    static FineTunedModel load(Path dir, Backend backend, int maxLength, Consumer<String> log) throws IOException {
        ModelDirectory.requireTrainable(dir);
        BertConfig config = BertConfig.read(dir.resolve("config.json"));
        checkMaxLength(config, maxLength);
        return load(dir, config, backend, false, maxLength, log);
    }

    private static FineTunedModel load(Path dir, BertConfig config, Backend backend, boolean ownsBackend, int maxLength,
                                       Consumer<String> log) throws IOException {
        Task<?, ?> task = Tasks.of(config, dir);
        try (SafetensorsWeights weights = SafetensorsWeights.open(dir)) {
            TaskModel model = task.load(weights, config, backend, LoadOptions.defaults().withWarnings(log));
            return new FineTunedModel(backend, ownsBackend, task, model, BertTokenizer.load(dir),
                    maxLength > 0 ? maxLength : config.maxPositionEmbeddings());
        }
    }

    private static void checkMaxLength(BertConfig config, int maxLength) {
        if (maxLength > config.maxPositionEmbeddings()) {
            throw new IllegalArgumentException("--max-length " + maxLength + " exceeds the model's "
                    + "max_position_embeddings (" + config.maxPositionEmbeddings() + ")");
        }
    }

    @Override
    public Task<?, ?> task() {
        return task;
    }

    @Override
    public List<String> labels() {
        return model.config().labels();
    }

    public TaskModel model() {
        return model;
    }

    public Backend backend() {
        return backend;
    }

    /** The data options for this model's inputs, with fields as given. */
    @Override
    public DataOptions dataOptions(DataOptions given) {
        return given.withMaxLength(maxLength);
    }

    @Override
    public BertTokenizer tokenizer() {
        return tokenizer;
    }

    /** Tokens per input after truncation (token classification: per window). */
    @Override
    public int maxLength() {
        return maxLength;
    }

    /** One JSON-ready prediction per input (text, or text pair), in order. */
    @Override
    public List<Map<String, Object>> predict(List<Example> inputs, int batchSize) {
        Encoded encoded = encode(inputs, maxLength);
        return encoded.predictions().apply(outputs(encoded.data(), batchSize, null));
    }

    /**
     * Inputs encoded for this model's task, and how the model's outputs on them (one float[] per
     * example of data, unpadded, as Outputs.collect gives them) become one prediction per input.
     * For callers that batch examples themselves, as the server does across requests.
     */
    public record Encoded(TaskData data, Function<float[][], List<Map<String, Object>>> predictions) {
    }

    /** Encodes inputs truncated to maxLength tokens (token classification: windows of maxLength). */
    public Encoded encode(List<Example> inputs, int maxLength) {
        return encode(task, inputs, maxLength);
    }

    private <R, E extends TaskData> Encoded encode(Task<R, E> t, List<Example> inputs, int maxLength) {
        E data = t.encodeInputs(tokenizer, inputs, DataOptions.defaults(maxLength));
        List<String> labels = labels();
        return new Encoded(data, outputs -> t.predictions(data, outputs, labels));
    }

    /**
     * An evaluation and, when asked for, the rows the model got wrong (Task.errors); for an ensemble,
     * also each member's evaluation on the same data (empty for one model).
     */
    public record Report(Evaluation evaluation, List<Map<String, Object>> errors,
                         List<Ensemble.MemberEvaluation> members) {
        public Report(Evaluation evaluation, List<Map<String, Object>> errors) {
            this(evaluation, errors, List.of());
        }
    }

    /** Evaluates on a labelled file (read as this model's task reads it); unknown labels are an error naming the row. */
    @Override
    public Evaluation evaluate(Path file, DataOptions options, int batchSize, boolean showProgress) {
        return evaluate(task, file, dataOptions(options), batchSize, showProgress, false).evaluation();
    }

    /** As evaluate, with the rows the model got wrong. */
    @Override
    public Report evaluateWithErrors(Path file, DataOptions options, int batchSize, boolean showProgress) {
        return evaluate(task, file, dataOptions(options), batchSize, showProgress, true);
    }

    private <R, E extends TaskData> Report evaluate(Task<R, E> t, Path file, DataOptions options, int batchSize,
                                                    boolean showProgress, boolean errors) {
        List<R> rows = t.read(file, options);
        E data = t.encode(tokenizer, rows, labels(), options, file);
        float[][] outputs;
        if (showProgress) {
            try (ProgressBar bar = new ProgressBar("evaluate", data.size(), "sequences")) {
                outputs = outputs(data, batchSize, bar);
            }
        } else {
            outputs = outputs(data, batchSize, null);
        }
        return new Report(t.evaluate(data, outputs, labels()), errors ? t.errors(rows, data, outputs, labels()) : null);
    }

    private float[][] outputs(TaskData data, int batchSize, ProgressBar bar) {
        return Outputs.collect(Outputs.of(model, data), data, model.numOutputs(), model.perToken(), batchSize, bar);
    }

    @Override
    public void close() {
        if (ownsBackend) backend.close();
    }
}
