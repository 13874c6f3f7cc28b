/*
 * Which fields (JSONL) or columns (CSV/TSV) hold the text, the optional second text and the label:
 * shared by train and evaluate (a picocli mixin).
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

    DatasetReader.Fields fields() {
        return new DatasetReader.Fields(text, textPair, label);
    }
}
