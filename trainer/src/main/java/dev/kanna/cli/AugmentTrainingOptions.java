/*
 * train's augmentation options (a picocli mixin): --augment N new rows per row, drawn afresh each
 * epoch, with the augment command's rate, operations and synonyms under train's names.
 */
package dev.kanna.cli;

import dev.kanna.augment.AugmentSettings;
import dev.kanna.augment.Operation;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

final class AugmentTrainingOptions {
    @Option(names = "--augment", defaultValue = "0", paramLabel = "N",
            description = "Train on N new rows per training row besides the row, drawn afresh each epoch from the seed "
                    + "(EDA for text; mention and synonym replacement for token classification); see `kanna augment`.")
    int copies;

    @Option(names = "--augment-alpha", paramLabel = "A",
            description = "With --augment: the rate of change, as augment's --alpha (default: 0.1).")
    Double alpha;

    @Option(names = "--augment-ops", paramLabel = "OPS",
            description = "With --augment: the operations, as augment's --ops (default: the task's).")
    String ops;

    @Mixin
    SynonymOptions synonyms;

    /** The settings, or null without --augment (when the other options, then given alone, are refused). */
    AugmentSettings settings() {
        TrainingOptions.atLeast("--augment", copies, 0);
        if (copies == 0) {
            if (ops != null || alpha != null || synonyms.given()) {
                throw new IllegalArgumentException("--augment-alpha, --augment-ops, --lexicon, --wordnet and --protect"
                        + " apply with --augment N");
            }
            return null;
        }
        double rate = alpha == null ? 0.1 : alpha;
        if (!(rate > 0 && rate <= 1)) throw new IllegalArgumentException("--augment-alpha must be in (0, 1], got " + rate);
        return new AugmentSettings(copies, rate, ops == null ? null : Operation.parse("--augment-ops", ops), synonyms.lexicon,
                synonyms.protect, synonyms.wordnet);
    }
}
