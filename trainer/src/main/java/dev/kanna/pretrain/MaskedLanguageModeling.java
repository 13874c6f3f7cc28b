/*
 * Masked-LM pretraining on unlabelled domain text (domain- and task-adaptive pretraining), as a
 * Task: text lines in, BertForMaskedLM (the checkpoint's MLM head, or a fresh one tied to the word
 * embeddings), cross-entropy at the masked positions only, validation loss, perplexity and masked
 * token accuracy. Masking as transformers' DataCollatorForLanguageModeling (or, with whole-word
 * masking, DataCollatorForWholeWordMask); sequences as run_mlm.py builds them: the token stream of
 * all lines cut into max-length blocks (packing "blocks"), or one truncated line each ("lines").
 */
package dev.kanna.pretrain;

import dev.kanna.backend.Backend;
import dev.kanna.bert.BertConfig;
import dev.kanna.bert.BertForMaskedLM;
import dev.kanna.bert.LoadOptions;
import dev.kanna.bert.TaskModel;
import dev.kanna.bert.WeightSource;
import dev.kanna.data.DatasetException;
import dev.kanna.data.Example;
import dev.kanna.data.TextCorpus;
import dev.kanna.metrics.MaskedLmMetrics;
import dev.kanna.task.DataOptions;
import dev.kanna.task.Evaluation;
import dev.kanna.task.Task;
import dev.kanna.tokenizer.BertTokenizer;
import dev.kanna.tokenizer.Encoding;
import dev.kanna.train.Loss;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

public final class MaskedLanguageModeling implements Task<Example, MaskedLmData> {
    public static final String NAME = "masked-lm";

    /** How lines become sequences. */
    public enum Packing { BLOCKS, LINES }

    /**
     * @param probability the share of non-special tokens selected, in (0, 1)
     * @param seed        the masks' seed (with the epoch and the example)
     */
    public record Settings(double probability, boolean wholeWord, Packing packing, long seed) {
        public Settings {
            if (!(probability > 0 && probability < 1)) {
                throw new IllegalArgumentException("--mlm-probability must be in (0, 1), got " + probability);
            }
        }

        public static Settings defaults() {
            return new Settings(0.15, false, Packing.BLOCKS, 42);
        }
    }

    private final Settings settings;

    public MaskedLanguageModeling(Settings settings) {
        this.settings = settings;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<String> metricNames() {
        return MaskedLmMetrics.NAMES;
    }

    @Override
    public boolean lowerIsBetter(String metric) {
        return !metric.equals("accuracy");
    }

    @Override
    public List<Example> read(Path file, DataOptions options) {
        // the field names JSONL's text; plain text is a document per line whatever the (default) field
        return TextCorpus.read(file, TextCorpus.isJsonl(file) ? options.fields().text() : null);
    }

    /** Pretraining has no labels: the vocabulary is what the head predicts. */
    @Override
    public List<String> labels(List<Example> training, Path file) {
        return List.of();
    }

    @Override
    public MaskedLmData encode(BertTokenizer tokenizer, List<Example> rows, List<String> labels, DataOptions options,
                               Path file) {
        int mask = tokenizer.tokenToId("[MASK]").orElseThrow(() -> new IllegalArgumentException(
                "the model's vocabulary has no [MASK] token, which masked-LM pretraining needs"));
        MlmMasker masker = MlmMasker.forTokenizer(tokenizer, settings.probability(), settings.wholeWord(), mask);
        BertTokenizer plain = tokenizer.withoutTruncation().withoutPadding();
        boolean lines = settings.packing() == Packing.LINES;
        int max = options.maxLength();
        List<int[]> sequences = new ArrayList<>(rows.size());
        List<boolean[]> wordStarts = masker.wholeWord() ? new ArrayList<>(rows.size()) : null;
        for (Example row : rows) {
            Encoding e = plain.encode(row.text(), true);                       // [CLS] pieces [SEP]
            int[] ids = e.ids(), starts = e.starts(), ends = e.ends();
            if (lines && ids.length > max) {                                      // keep [CLS], the first pieces, [SEP]
                ids = truncated(ids, max);
                starts = truncated(starts, max);
                ends = truncated(ends, max);
            }
            sequences.add(ids);
            if (wordStarts != null) wordStarts.add(masker.offsetWordStarts(ids, ids.length, starts, ends));
        }
        if (!lines) {
            try {
                if (wordStarts != null) wordStarts = Blocks.groupWordStarts(wordStarts, max);
                sequences = Blocks.group(sequences, max);
            } catch (IllegalArgumentException e) {
                throw new DatasetException(file + ": " + e.getMessage());
            }
        }
        return new MaskedLmData(sequences, wordStarts, masker, settings.seed(), tokenizer.tokenToId("[PAD]").orElse(0));
    }

    /** The first max − 1 entries and the last ([SEP]'s). */
    private static int[] truncated(int[] a, int max) {
        int[] out = java.util.Arrays.copyOf(a, max);
        out[max - 1] = a[a.length - 1];
        return out;
    }

    @Override
    public MaskedLmData encodeInputs(BertTokenizer tokenizer, List<Example> inputs, DataOptions options) {
        throw new IllegalArgumentException("a masked-LM model predicts no labels: fine-tune it with `kanna train --model`");
    }

    @Override
    public BertConfig configure(BertConfig base, List<String> labels) {
        return base.withProblemType(null);
    }

    @Override
    public TaskModel load(WeightSource weights, BertConfig config, Backend backend, LoadOptions options) {
        return BertForMaskedLM.load(weights, config, backend, options);
    }

    @Override
    public Loss loss(MaskedLmData train, LossOptions options) {
        if (options.classWeightsAuto()) throw new IllegalArgumentException("--class-weights does not apply to " + NAME);
        return new Loss.CrossEntropy(null, (float) options.labelSmoothing());
    }

    @Override
    public Evaluation evaluate(MaskedLmData data, float[][] outputs, List<String> labels) {
        double lossSum = 0, correct = 0;
        long count = 0;
        for (int i : data.byLength()) {   // as batches ran
            float[] pairs = outputs[i];
            for (int k = 0; k < pairs.length; k += 2) {
                lossSum += pairs[k];
                correct += pairs[k + 1];
                count++;
            }
        }
        double loss = count == 0 ? Double.NaN : lossSum / count;
        return new Evaluation(loss, data.size(), new MaskedLmMetrics(count, loss, Math.exp(loss),
                count == 0 ? Double.NaN : correct / count));
    }

    @Override
    public List<Map<String, Object>> errors(List<Example> rows, MaskedLmData data, float[][] outputs, List<String> labels) {
        return List.of();
    }

    @Override
    public List<Map<String, Object>> predictions(MaskedLmData data, float[][] outputs, List<String> labels) {
        throw new IllegalArgumentException("a masked-LM model predicts no labels: fine-tune it with `kanna train --model`");
    }
}
