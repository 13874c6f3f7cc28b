/*
 * Training data augmented on the fly (train --augment N): every epoch trains on the rows and N new
 * rows made from each, drawn afresh for that epoch from (seed, epoch, row) (Augmentation.random),
 * so a resumed run draws the same, and tokenized by the task as any data. As built, it holds the
 * rows themselves, each N + 1 times (what size and lengths report; the trainer asks forEpoch(e)
 * for each epoch's draw).
 *
 * An epoch always has (N + 1) × the rows' examples, which the learning-rate schedule was planned
 * for: a new sentence that would need another number of windows than its row (token
 * classification, a sentence grown or shrunk across --max-length) is left out for that epoch and
 * its row used in its place.
 */
package dev.kanna.task;

import dev.kanna.augment.Augmentation;
import dev.kanna.augment.Augmenter;
import dev.kanna.bert.Batch;
import dev.kanna.tokenizer.BertTokenizer;
import dev.kanna.train.Targets;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

public final class AugmentedData<R, E extends TaskData> implements TaskData {
    private final Task<R, E> task;
    private final BertTokenizer tokenizer;
    private final List<R> rows;
    private final List<String> labels;
    private final DataOptions options;
    private final Path file;
    private final E encoded;          // the rows as they are
    private final int[] examples;     // [row] examples of each row
    private final Augmenter<R> augmenter;
    private final int copies;
    private final long seed;

    /**
     * @param encoded the rows as task.encode made them
     * @param copies  new rows per row and epoch
     */
    public AugmentedData(Task<R, E> task, BertTokenizer tokenizer, List<R> rows, List<String> labels, DataOptions options,
                         Path file, E encoded, Augmenter<R> augmenter, int copies, long seed) {
        this.task = task;
        this.tokenizer = tokenizer;
        this.rows = List.copyOf(rows);
        this.labels = labels;
        this.options = options;
        this.file = file;
        this.encoded = encoded;
        this.augmenter = augmenter;
        this.copies = copies;
        this.seed = seed;
        this.examples = examplesPerRow(encoded, rows.size());
    }

    /** The rows with their new rows for one epoch: rows first, then each row's copies in row order. */
    public List<R> rowsForEpoch(int epoch) {
        List<R> all = new ArrayList<>(rows.size() * (copies + 1));
        all.addAll(rows);
        for (int i = 0; i < rows.size(); i++) all.addAll(augmenter.augment(rows.get(i), copies, Augmentation.random(seed, epoch, i)));
        return all;
    }

    @Override
    public TaskData forEpoch(int epoch) {
        List<R> all = rowsForEpoch(epoch);
        E data = task.encode(tokenizer, all, labels, options, file);
        if (data.size() == size()) return data;
        int[] made = examplesPerRow(data, all.size());
        for (int j = rows.size(); j < all.size(); j++) {
            int source = (j - rows.size()) / copies;
            if (made[j] != examples[source]) all.set(j, rows.get(source));
        }
        return task.encode(tokenizer, all, labels, options, file);
    }

    private static int[] examplesPerRow(TaskData data, int rows) {
        int[] count = new int[rows];
        for (int i = 0; i < data.size(); i++) count[data.row(i)]++;
        return count;
    }

    /** New inputs every epoch. */
    @Override
    public boolean fixedInputs() {
        return false;
    }

    @Override
    public int size() {
        return encoded.size() * (copies + 1);
    }

    @Override
    public int length(int i) {
        return encoded.length(i % encoded.size());
    }

    @Override
    public int row(int example) {
        return encoded.row(example % encoded.size());
    }

    @Override
    public Batch batch(int[] indices) {
        return encoded.batch(original(indices));
    }

    @Override
    public Targets targets(int[] indices) {
        return encoded.targets(original(indices));
    }

    private int[] original(int[] indices) {
        int[] out = new int[indices.length];
        for (int k = 0; k < out.length; k++) out[k] = indices[k] % encoded.size();
        return out;
    }
}
