/*
 * The tasks by name (--task) and by the config.json of a fine-tuned model (its architectures and
 * problem_type), so evaluate, predict and logits know a model's task without being told.
 */
package dev.kanna.task;

import dev.kanna.bert.BertConfig;
import dev.kanna.pretrain.MaskedLanguageModeling;

import java.util.List;

public final class Tasks {
    /** The tasks `train --task` takes; masked-LM pretraining has its own command, `pretrain`. */
    public static final List<String> NAMES = List.of(SequenceClassification.NAME, TokenClassification.NAME,
            MultiLabelClassification.NAME, Regression.NAME);

    private Tasks() {
    }

    public static Task<?, ?> named(String name) {
        return named(name, null);
    }

    /** The task by name; masking: masked-LM pretraining's settings (null: its defaults). */
    public static Task<?, ?> named(String name, MaskedLanguageModeling.Settings masking) {
        return switch (name) {
            case MaskedLanguageModeling.NAME -> new MaskedLanguageModeling(
                    masking != null ? masking : MaskedLanguageModeling.Settings.defaults());
            case SequenceClassification.NAME -> new SequenceClassification();
            case TokenClassification.NAME -> new TokenClassification();
            case MultiLabelClassification.NAME -> new MultiLabelClassification();
            case Regression.NAME -> new Regression();
            default -> throw new IllegalArgumentException("--task: unknown task '" + name + "'; expected one of "
                    + String.join(", ", NAMES));
        };
    }

    /** The task of a fine-tuned model directory, with what it fixed beside its config (multi-label thresholds). */
    public static Task<?, ?> of(BertConfig config, java.nio.file.Path dir) {
        Task<?, ?> task = of(config);
        return task instanceof MultiLabelClassification ? MultiLabelClassification.in(dir) : task;
    }

    /** The task a fine-tuned model was trained for; a base model (no head named) counts as sequence classification. */
    public static Task<?, ?> of(BertConfig config) {
        if (config.architectures().contains("BertForTokenClassification")) return new TokenClassification();
        if (config.architectures().contains("BertForMaskedLM")) {
            return new MaskedLanguageModeling(MaskedLanguageModeling.Settings.defaults());
        }
        String problem = config.problemType();
        if ("multi_label_classification".equals(problem)) return new MultiLabelClassification();
        if ("regression".equals(problem)) return new Regression();
        return new SequenceClassification();
    }
}
