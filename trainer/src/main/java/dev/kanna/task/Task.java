/*
 * A fine-tuning task as one object: how it reads and tokenizes data (rows R into TaskData E), its
 * labels, the head and config it builds, its loss, its metrics and its predictions. The trainer,
 * checkpoints, --resume, the frozen-layer cache, evaluate and predict run any task through this
 * interface and never branch on which one it is.
 *
 *   rows    = read(file)                      Example (text tasks) or TaggedSentence (NER)
 *   labels  = labels(training rows)           id order, saved as id2label
 *   data    = encode(tokenizer, rows, labels) token ids + targets
 *   model   = load(weights, configure(config, labels))
 *   loss    = loss(...)                       what FineTuner minimises
 *   scores  = evaluate(data, outputs)         the loss and the task's metrics
 *   errors  = errors(rows, data, outputs)     what it got wrong, row by row
 *   output  = predictions(data, outputs)      one JSON object per input
 *   folds   = stratification(rows)            what cross-validation keeps even across folds
 *   link()                                    how an ensemble averages outputs (as probabilities)
 *   new     = augmenter(...).augment(row)     new rows, labels kept (train --augment, kanna augment)
 */
package dev.kanna.task;

import dev.kanna.augment.Augmentation;
import dev.kanna.augment.Augmenter;
import dev.kanna.backend.Backend;
import dev.kanna.bert.BertConfig;
import dev.kanna.bert.LoadOptions;
import dev.kanna.bert.TaskModel;
import dev.kanna.bert.WeightSource;
import dev.kanna.data.Example;
import dev.kanna.data.LabelMapping;
import dev.kanna.tokenizer.BertTokenizer;
import dev.kanna.train.Loss;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

public interface Task<R, E extends TaskData> {

    /** The name --task takes: sequence-classification, token-classification, multi-label, regression. */
    String name();

    /** The figures --metric-for-best may name besides "loss"; the first is the default. */
    List<String> metricNames();

    /** Whether a smaller value of the named figure is better. */
    default boolean lowerIsBetter(String metric) {
        return metric.equals("loss");
    }

    /** Reads every labelled row of a file; bad rows are one DatasetException naming file and line. */
    List<R> read(Path file, DataOptions options);

    /** The label names in id order, from the training rows; a set the task cannot train on is an error naming file. */
    List<String> labels(List<R> training, Path file);

    /**
     * Rows of related-domain data (train --aux-train) in this task's labels: each label renamed as
     * the mapping says (after checking that it maps only onto labels), then checked to be one of
     * labels, one outside them a DatasetException naming the file and line. Tasks without label
     * names (regression) take the rows as they are and refuse a map.
     */
    default List<R> relabel(List<R> rows, List<String> labels, LabelMapping mapping, Path file) {
        if (!mapping.isEmpty()) {
            throw new IllegalArgumentException("--aux-label-map: " + name() + " has no label names to map");
        }
        return rows;
    }

    /** Tokenizes labelled rows; a label outside labels is an error naming file and line. */
    E encode(BertTokenizer tokenizer, List<R> rows, List<String> labels, DataOptions options, Path file);

    /** Tokenizes unlabelled inputs (one text, or text pair, each) for prediction. */
    E encodeInputs(BertTokenizer tokenizer, List<Example> inputs, DataOptions options);

    /** The config of the model to train: labels, architecture and problem type. */
    BertConfig configure(BertConfig base, List<String> labels);

    /** The task's model over weights (the head fresh when the weights lack it). */
    TaskModel load(WeightSource weights, BertConfig config, Backend backend, LoadOptions options);

    /** The training objective; train is the training data (for class weights). */
    Loss loss(E train, LossOptions options);

    /** Loss and metrics of labelled data from the model's outputs, one float[] per example (unpadded). */
    Evaluation evaluate(E data, float[][] outputs, List<String> labels);

    /**
     * The rows the model got wrong, one JSON-ready object each, for error analysis: a misclassified
     * text with its gold and predicted labels; a sentence with its missed and spurious entities.
     */
    List<Map<String, Object>> errors(List<R> rows, E data, float[][] outputs, List<String> labels);

    /** One JSON-ready object per input of encodeInputs, from the outputs of its examples. */
    List<Map<String, Object>> predictions(E data, float[][] outputs, List<String> labels);

    /** What cross-validation (train --folds) keeps even across folds: each row's classes, or its value. */
    default Stratification stratification(List<R> rows) {
        throw new IllegalArgumentException("--folds: " + name() + " cannot be cross-validated");
    }

    /** How an ensemble reads this task's outputs as probabilities: softmax, sigmoid or the value itself. */
    default Link link() {
        throw new IllegalArgumentException(name() + " models cannot be ensembled");
    }

    /** What a model decides from its outputs (rows · K), 1 or 0 per output, as its predictions do: what a vote counts. */
    default float[] decisions(float[] outputs, List<String> labels) {
        return link().decisions(outputs, labels.size());
    }

    /**
     * The task as an ensemble of members of it applies it: itself, unless the task carries a decision
     * rule of its own (multi-label thresholds). members: the members' tasks; weights summing to 1.
     */
    default Task<R, E> ensembled(List<? extends Task<?, ?>> members, double[] weights, boolean vote) {
        return this;
    }

    /**
     * What a task may fit on validation outputs after training (multi-label: per-label decision
     * thresholds): the JSON written beside the model as file, and the task as the model now uses it.
     */
    record Calibration<R, E extends TaskData>(String file, Map<String, Object> json, Task<R, E> task) {
    }

    /** Whether calibrate fits anything (--tune-thresholds is refused for tasks that do not). */
    default boolean calibrates() {
        return false;
    }

    /** Fits the task's decision rule on validation outputs (only called when calibrates()). */
    default Calibration<R, E> calibrate(E validation, float[][] outputs, List<String> labels) {
        throw new UnsupportedOperationException(name() + " has nothing to calibrate");
    }

    /**
     * How this task's rows are augmented with new ones that keep their labels; training: the rows
     * augmentation may draw on (token classification's mentions). Tasks without one refuse.
     */
    default Augmenter<R> augmenter(Augmentation augmentation, List<R> training, DataOptions options) {
        throw new IllegalArgumentException("augmentation applies to classification, multi-label, regression and"
                + " token classification, not to " + name());
    }

    /** The options of the loss a user can set (cross-entropy tasks read them; others refuse what they cannot use). */
    record LossOptions(double labelSmoothing, boolean classWeightsAuto) {
    }
}
