/*
 * A fine-tuned classifier ready for use: the model, its tokenizer and its labels, loaded from a
 * directory `kanna train` (or transformers' save_pretrained) wrote. The library entry point for
 * prediction and evaluation:
 *
 *   try (TextClassifier c = TextClassifier.load(Path.of("runs/spam"))) {
 *       TextClassifier.Prediction p = c.predict("Subject: WIN A FREE CRUISE");
 *   }
 */
package dev.kanna.trainer;

import dev.kanna.backend.Backend;
import dev.kanna.backend.BackendOptions;
import dev.kanna.backend.Backends;
import dev.kanna.bert.BertForSequenceClassification;
import dev.kanna.bert.LoadOptions;
import dev.kanna.data.DatasetReader;
import dev.kanna.data.Example;
import dev.kanna.data.LabelMap;
import dev.kanna.report.ProgressBar;
import dev.kanna.tokenizer.BertTokenizer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

public final class TextClassifier implements AutoCloseable {

    /** The most probable label, its probability, and every label's probability. */
    public record Prediction(String label, double score, Map<String, Double> probabilities) {
    }

    private final Backend backend;
    private final BertForSequenceClassification model;
    private final BertTokenizer tokenizer;
    private final LabelMap labels;
    private final int maxLength;

    private TextClassifier(Backend backend, BertForSequenceClassification model, BertTokenizer tokenizer,
                           int maxLength) {
        this.backend = backend;
        this.model = model;
        this.tokenizer = tokenizer;
        this.labels = new LabelMap(model.config().labels());
        this.maxLength = maxLength;
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
        ModelDirectory.requireTrainable(dir);
        Backend backend = Backends.open(device, new BackendOptions(threads, true), log);
        try {
            BertForSequenceClassification model = BertForSequenceClassification.load(dir, backend,
                    LoadOptions.defaults().withWarnings(log));
            int positions = model.config().maxPositionEmbeddings();
            if (maxLength > positions) {
                throw new IllegalArgumentException("--max-length " + maxLength + " exceeds the model's "
                        + "max_position_embeddings (" + positions + ")");
            }
            return new TextClassifier(backend, model, BertTokenizer.load(dir), maxLength > 0 ? maxLength : positions);
        } catch (IOException | RuntimeException e) {
            backend.close();
            throw e;
        }
    }

    public List<String> labels() {
        return labels.labels();
    }

    public Backend backend() {
        return backend;
    }

    public Prediction predict(String text) {
        return predict(List.of(Example.unlabelled(text, null, 1)), 1).getFirst();
    }

    /** Predictions for texts (second texts in textPair when the task takes pairs), in order. */
    public List<Prediction> predict(List<Example> inputs, int batchSize) {
        EncodedExamples encoded = EncodedExamples.encode(tokenizer, inputs, maxLength, null, null);
        Evaluation eval = Evaluation.run(model, encoded, labels, batchSize, null);
        List<Prediction> out = new ArrayList<>(inputs.size());
        for (int i = 0; i < inputs.size(); i++) {
            float[] p = eval.probabilities()[i];
            Map<String, Double> byLabel = new LinkedHashMap<>();
            for (int k = 0; k < p.length; k++) byLabel.put(labels.label(k), (double) p[k]);
            int best = eval.predictions()[i];
            out.add(new Prediction(labels.label(best), p[best], byLabel));
        }
        return out;
    }

    /** Evaluates on a labelled file; a label the model does not know is an error naming the row. */
    public Evaluation evaluate(Path data, DatasetReader.Fields fields, int batchSize, boolean showProgress) {
        List<Example> rows = DatasetReader.read(data, fields);
        EncodedExamples encoded = EncodedExamples.encode(tokenizer, rows, maxLength, labels, data);
        if (!showProgress) return Evaluation.run(model, encoded, labels, batchSize, null);
        try (ProgressBar bar = new ProgressBar("evaluate", rows.size(), "rows")) {
            return Evaluation.run(model, encoded, labels, batchSize, bar);
        }
    }

    @Override
    public void close() {
        backend.close();
    }
}
