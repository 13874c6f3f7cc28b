/*
 * Tokenized domain text as masked-LM pretraining sees it: sequences (blocks of the concatenated
 * token stream, or one line each) whose masks are drawn per epoch from (seed, epoch, example):
 * dynamic masking, the same for a resumed run. As encoded it holds one fixed draw (epoch −1):
 * what validation uses, so its perplexity is comparable across epochs; the trainer asks the
 * training data forEpoch(e) for each epoch's fresh draw. Targets are the masked positions only (Targets.Selected), which the masked-LM head
 * predicts alone; evaluation reduces each masked position's vocabulary logits to (loss, correct).
 */
package dev.kanna.pretrain;

import dev.kanna.bert.Batch;
import dev.kanna.task.TaskData;
import dev.kanna.train.Targets;

import java.util.ArrayList;
import java.util.List;

public final class MaskedLmData implements TaskData {
    private final List<int[]> sequences;    // [example] token ids with [CLS]/[SEP], unmasked
    private final List<boolean[]> wordStarts;   // [example][token] whole-word masking's word starts; null otherwise
    private final MlmMasker masker;
    private final long seed;
    private final int epoch;               // of the draw; −1: the fixed one
    private final int pad;
    private final int[][] inputIds, labels;   // [example][token] this epoch's masked ids and labels (−100)

    /** The fixed draw (epoch −1) of masks over sequences. */
    MaskedLmData(List<int[]> sequences, List<boolean[]> wordStarts, MlmMasker masker, long seed, int pad) {
        this(sequences, wordStarts, masker, seed, -1, pad);
    }

    private MaskedLmData(List<int[]> sequences, List<boolean[]> wordStarts, MlmMasker masker, long seed, int epoch,
                         int pad) {
        this.sequences = sequences;
        this.wordStarts = wordStarts;
        this.masker = masker;
        this.seed = seed;
        this.epoch = epoch;
        this.pad = pad;
        inputIds = new int[sequences.size()][];
        labels = new int[sequences.size()][];
        for (int i = 0; i < sequences.size(); i++) {
            int[] ids = sequences.get(i);
            var random = MlmMasker.forExample(seed, epoch, i);
            MlmMasker.Masked m = wordStarts == null ? masker.mask(ids, random)
                    : masker.mask(ids, ids.length, wordStarts.get(i), random);
            inputIds[i] = m.inputIds();
            labels[i] = m.labels();
        }
    }

    @Override
    public TaskData forEpoch(int e) {
        return e == epoch ? this : new MaskedLmData(sequences, wordStarts, masker, seed, e, pad);
    }

    /** Training draws new masks, so new inputs, every epoch. */
    @Override
    public boolean fixedInputs() {
        return false;
    }

    @Override
    public boolean selectsRows() {
        return true;
    }

    @Override
    public int size() {
        return sequences.size();
    }

    @Override
    public int length(int i) {
        return sequences.get(i).length;
    }

    /** The masked positions of example i (its labels ≠ −100). */
    public int masked(int i) {
        int n = 0;
        for (int y : labels[i]) if (y >= 0) n++;
        return n;
    }

    @Override
    public Batch batch(int[] indices) {
        List<int[]> ids = new ArrayList<>(indices.length);
        for (int i : indices) ids.add(inputIds[i]);
        return Batch.pad(ids, pad);
    }

    @Override
    public Targets targets(int[] indices) {
        int t = 1;
        for (int i : indices) t = Math.max(t, length(i));
        int count = 0;
        for (int i : indices) count += masked(i);
        int[] rows = new int[count], y = new int[count];
        for (int b = 0, k = 0; b < indices.length; b++) {
            int[] l = labels[indices[b]];
            for (int p = 0; p < l.length; p++) {
                if (l[p] < 0) continue;
                rows[k] = b * t + p;
                y[k++] = l[p];
            }
        }
        return new Targets.Selected(rows, y);
    }

    /** Each masked position's vocabulary logits → (its cross-entropy, 1 when the top logit is the label). */
    @Override
    public float[] reduce(int example, float[] outputs) {
        int m = masked(example), v = outputs.length / Math.max(1, m);
        float[] out = new float[2 * m];
        int[] l = labels[example];
        for (int p = 0, k = 0; p < l.length; p++) {
            if (l[p] < 0) continue;
            int from = k * v, best = from;
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int j = from; j < from + v; j++) {
                max = Math.max(max, outputs[j]);
                if (outputs[j] > outputs[best]) best = j;
            }
            for (int j = from; j < from + v; j++) sum += Math.exp(outputs[j] - max);
            out[2 * k] = (float) (max + Math.log(sum) - outputs[from + l[p]]);
            out[2 * k + 1] = best - from == l[p] ? 1f : 0f;
            k++;
        }
        return out;
    }
}
