/*
 * What the three text tasks share: rows of text (or text pairs) from JSONL/CSV/TSV, tokenized
 * into TextData, and BertForSequenceClassification's head (pooled [CLS] state → K outputs).
 * They differ in how the label field is read, the targets, the loss and the metrics.
 */
package dev.kanna.task;

import dev.kanna.augment.Augmentation;
import dev.kanna.augment.Augmenter;
import dev.kanna.augment.TextAugmenter;
import dev.kanna.backend.Backend;
import dev.kanna.bert.BertForSequenceClassification;
import dev.kanna.bert.LoadOptions;
import dev.kanna.bert.TaskModel;
import dev.kanna.bert.WeightSource;
import dev.kanna.data.DatasetReader;
import dev.kanna.data.LabelShape;
import dev.kanna.data.Example;
import dev.kanna.data.LabelMapping;
import dev.kanna.tokenizer.BertTokenizer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

abstract class TextTask implements Task<Example, TextData> {

    /** How this task reads the label field. */
    abstract LabelShape labelShape();

    /** The same rows with this task's targets. */
    abstract TextData withTargets(TextData tokens, List<Example> rows, List<String> labels, Path file);

    /** The start of an error report's row: its line and text (and second text). */
    static Map<String, Object> errorRow(Example row) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("line", row.line());
        e.put("text", row.text());
        if (row.textPair() != null) e.put("text_pair", row.textPair());
        return e;
    }

    @Override
    public List<Example> read(Path file, DataOptions options) {
        return DatasetReader.read(file, options.fields(), labelShape());
    }

    /** Single- and multi-label rows get each label mapped; regression's numbers are not labels to map. */
    @Override
    public List<Example> relabel(List<Example> rows, List<String> labels, LabelMapping mapping, Path file) {
        if (labelShape() == LabelShape.NUMBER) return Task.super.relabel(rows, labels, mapping, file);
        mapping.checkedAgainst(labels);
        List<Example> out = new ArrayList<>(rows.size());
        for (Example row : rows) {
            List<String> mapped = new ArrayList<>(row.labels().size());
            for (String label : row.labels()) mapped.add(mapping.apply(label, labels, file, row.line()));
            out.add(new Example(row.text(), row.textPair(), mapped, row.line()));
        }
        return out;
    }

    @Override
    public TextData encode(BertTokenizer tokenizer, List<Example> rows, List<String> labels, DataOptions options,
                           Path file) {
        return withTargets(TextData.tokenize(tokenizer, rows, options.maxLength()), rows, labels, file);
    }

    @Override
    public TextData encodeInputs(BertTokenizer tokenizer, List<Example> inputs, DataOptions options) {
        return TextData.tokenize(tokenizer, inputs, options.maxLength());
    }

    /** EDA over the text; a second text and the labels are kept. */
    @Override
    public Augmenter<Example> augmenter(Augmentation augmentation, List<Example> training, DataOptions options) {
        return new TextAugmenter(augmentation, name());
    }

    @Override
    public TaskModel load(WeightSource weights, dev.kanna.bert.BertConfig config, Backend backend, LoadOptions options) {
        return BertForSequenceClassification.load(weights, config, backend, options);
    }
}
