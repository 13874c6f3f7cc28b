/*
 * Which fields (JSONL) or columns (CSV/TSV) hold the text, the optional second text and the label,
 * and how a multi-label field is split: shared by train and evaluate (a picocli mixin).
 */
package dev.kanna.cli;

import dev.kanna.data.DatasetReader;
import picocli.CommandLine.Option;

final class FieldOptions {
    @Option(names = "--text-field", defaultValue = "text", paramLabel = "NAME",
            description = "Field (JSONL) or column (CSV/TSV) with the text (default: ${DEFAULT-VALUE}).")
    String text;

    @Option(names = "--text-pair-field", paramLabel = "NAME", description = "Field with a second text, for pair tasks.")
    String textPair;

    @Option(names = "--label-field", defaultValue = "label", paramLabel = "NAME",
            description = "Field with the label (default: ${DEFAULT-VALUE}).")
    String label;

    @Option(names = "--label-separator", paramLabel = "SEP",
            description = "Multi-label: split a string label field on SEP (a JSON array is always accepted).")
    String labelSeparator;

    DatasetReader.Fields fields() {
        return new DatasetReader.Fields(text, textPair, label, labelSeparator);
    }
}
