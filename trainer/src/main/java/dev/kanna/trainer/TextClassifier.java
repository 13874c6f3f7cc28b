/*
 * A fine-tuned text classifier ready for use, the typed library entry point for single-label
 * classification (FineTunedModel serves every task):
 *
 *   try (TextClassifier c = TextClassifier.load(Path.of("runs/spam"))) {
 *       TextClassifier.Prediction p = c.predict("Subject: WIN A FREE CRUISE");
 *   }
 */
package dev.kanna.trainer;

import dev.kanna.backend.Backend;
import dev.kanna.data.DatasetReader;
import dev.kanna.data.Example;
import dev.kanna.task.DataOptions;
import dev.kanna.task.Evaluation;
import dev.kanna.task.SequenceClassification;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

public final class TextClassifier implements AutoCloseable {

    /** The most probable label, its probability, and every label's probability. */
    public record Prediction(String label, double score, Map<String, Double> probabilities) {
    }

    private final FineTunedModel model;

    private TextClassifier(FineTunedModel model) {
        this.model = model;
    }

    /** Loads a classifier directory on the best available device, truncating inputs to max_position_embeddings. */
    public static TextClassifier load(Path dir) throws IOException {
        return load(dir, "auto", 0, 0, System.err::println);
    }

    /**
     * @param maxLength tokens per input after truncation (0: the model's max_position_embeddings)
     * @param log       where device choices and warnings go
     */
    public static TextClassifier load(Path dir, String device, int threads, int maxLength, Consumer<String> log)
            throws IOException {
        FineTunedModel model = FineTunedModel.load(dir, device, threads, maxLength, log);
        if (!model.task().name().equals(SequenceClassification.NAME)) {
            model.close();
            throw new IllegalArgumentException(dir + ": a " + model.task().name() + " model, not a text classifier");
        }
        return new TextClassifier(model);
    }

    public List<String> labels() {
        return model.labels();
    }

    public Backend backend() {
        return model.backend();
    }

    public Prediction predict(String text) {
        return predict(List.of(Example.unlabelled(text, null, 1)), 1).getFirst();
    }

    /** Predictions for texts (second texts in textPair when the task takes pairs), in order. */
    @SuppressWarnings("unchecked")
    public List<Prediction> predict(List<Example> inputs, int batchSize) {
        List<Prediction> out = new ArrayList<>(inputs.size());
        for (Map<String, Object> p : model.predict(inputs, batchSize)) {
            out.add(new Prediction((String) p.get("label"), (Double) p.get("score"),
                    (Map<String, Double>) p.get("probabilities")));
        }
        return out;
    }

    /** Evaluates on a labelled file; a label the model does not know is an error naming the row. */
    public Evaluation evaluate(Path data, DatasetReader.Fields fields, int batchSize, boolean showProgress) {
        DataOptions options = DataOptions.defaults(1);
        return model.evaluate(data, new DataOptions(fields, options.tagFields(), 1, 0, false, null), batchSize, showProgress);
    }

    @Override
    public void close() {
        model.close();
    }
}
