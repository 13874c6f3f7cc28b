/*
 * What evaluate and predict take as a model: one fine-tuned model (FineTunedModel) or an ensemble
 * of them (Ensemble), which answer alike, so a command never asks which it holds. load tells them
 * apart by what the directory holds: an ensemble.json manifest, or a model.
 */
package dev.kanna.trainer;

import dev.kanna.data.Example;
import dev.kanna.task.DataOptions;
import dev.kanna.task.Evaluation;
import dev.kanna.task.Task;
import dev.kanna.tokenizer.BertTokenizer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

public sealed interface Predictor extends AutoCloseable permits FineTunedModel, Ensemble {

    /**
     * A model directory or an ensemble directory.
     *
     * @param maxLength tokens per input after truncation (0: the model's max_position_embeddings; an
     *                  ensemble's: the smallest of its members')
     * @param log       where device choices and warnings go
     */
    static Predictor load(Path dir, String device, int threads, int maxLength, Consumer<String> log) throws IOException {
        return Ensemble.isEnsemble(dir) ? Ensemble.load(dir, device, threads, maxLength, log)
                : FineTunedModel.load(dir, device, threads, maxLength, log);
    }

    /** The task, as it decides (multi-label: with its thresholds). */
    Task<?, ?> task();

    /** The labels in id order. */
    List<String> labels();

    BertTokenizer tokenizer();

    /** Tokens per input after truncation (token classification: per window). */
    int maxLength();

    /** The data options for this model's inputs, with fields as given. */
    DataOptions dataOptions(DataOptions given);

    /** One JSON-ready prediction per input (text, or text pair), in order. */
    List<Map<String, Object>> predict(List<Example> inputs, int batchSize);

    /** Evaluates on a labelled file (read as the task reads it); unknown labels are an error naming the row. */
    Evaluation evaluate(Path file, DataOptions options, int batchSize, boolean showProgress);

    /** As evaluate, with the rows the model got wrong (and an ensemble's members' evaluations). */
    FineTunedModel.Report evaluateWithErrors(Path file, DataOptions options, int batchSize, boolean showProgress);

    @Override
    void close();
}
