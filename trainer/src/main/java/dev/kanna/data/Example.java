/*
 * One row of a text dataset (classification, multi-label, regression).
 *
 * @param text     the text (field --text-field)
 * @param textPair the second text for pair tasks, or null
 * @param labels   the labels as written in the data: one for single-label classification and
 *                 regression (numbers kept as their text), any number (possibly none) for
 *                 multi-label; null when the row is unlabelled (prediction input)
 * @param line     1-based line (JSONL) or record (CSV/TSV) number, for messages
 */
package dev.kanna.data;

import java.util.List;

public record Example(String text, String textPair, List<String> labels, long line) {

    public Example {
        if (labels != null) labels = List.copyOf(labels);
    }

    /** A row with one label (null: unlabelled). */
    public static Example of(String text, String textPair, String label, long line) {
        return new Example(text, textPair, label == null ? null : List.of(label), line);
    }

    /** An input without a label, for prediction. */
    public static Example unlabelled(String text, String textPair, long line) {
        return new Example(text, textPair, null, line);
    }

    /** The row's only label; null when unlabelled. */
    public String label() {
        if (labels == null) return null;
        if (labels.size() != 1) throw new IllegalStateException("line " + line + " has " + labels.size() + " labels, not one");
        return labels.getFirst();
    }
}
