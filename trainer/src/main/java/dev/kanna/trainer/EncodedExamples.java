/*
 * A dataset after tokenization: per example its token ids and type ids (truncated, unpadded) and
 * its class id (or −1 when unlabelled). Batches are padded to their longest member, so short emails
 * do not pay for long ones.
 */
package dev.kanna.trainer;

import dev.kanna.bert.Batch;
import dev.kanna.data.Example;
import dev.kanna.data.LabelMap;
import dev.kanna.tokenizer.BertTokenizer;
import dev.kanna.tokenizer.Encoding;
import dev.kanna.tokenizer.TextPair;
import dev.kanna.tokenizer.Truncation;
import dev.kanna.train.FineTuner;
import dev.kanna.train.FrozenCache;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

public final class EncodedExamples implements FrozenCache.Examples {
    private final int[][] ids;       // [example][token]
    private final int[][] typeIds;   // [example][token]
    private final int[] labels;      // [example], −1 when unlabelled
    private final int padId;

    private EncodedExamples(int[][] ids, int[][] typeIds, int[] labels, int padId) {
        this.ids = ids;
        this.typeIds = typeIds;
        this.labels = labels;
        this.padId = padId;
    }

    /**
     * Tokenizes rows (pairs when they carry a second text) truncated to maxLength tokens; labels
     * through the map when given (a label outside it is an error naming file and line), else −1.
     */
    public static EncodedExamples encode(BertTokenizer tokenizer, List<Example> rows, int maxLength,
                                         LabelMap labels, Path file) {
        BertTokenizer t = tokenizer.withTruncation(Truncation.of(maxLength)).withoutPadding();
        boolean pairs = rows.getFirst().textPair() != null;
        List<Encoding> encodings;
        if (pairs) {
            List<TextPair> texts = new ArrayList<>(rows.size());
            for (Example e : rows) texts.add(new TextPair(e.text(), e.textPair()));
            encodings = t.encodePairBatch(texts);
        } else {
            List<String> texts = new ArrayList<>(rows.size());
            for (Example e : rows) texts.add(e.text());
            encodings = t.encodeBatch(texts);
        }
        int n = rows.size();
        int[][] ids = new int[n][], types = new int[n][];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = encodings.get(i).ids();
            types[i] = encodings.get(i).typeIds();
            y[i] = labels == null || rows.get(i).label() == null ? -1 : labels.id(rows.get(i), file);
        }
        int pad = tokenizer.tokenToId("[PAD]").orElse(0);
        return new EncodedExamples(ids, types, y, pad);
    }

    @Override
    public int size() {
        return ids.length;
    }

    public int label(int i) {
        return labels[i];
    }

    @Override
    public int length(int i) {
        return ids[i].length;
    }

    /** The examples at the given indices as one batch padded to its longest member. */
    @Override
    public Batch batch(int[] indices) {
        List<int[]> sequences = new ArrayList<>(indices.length), types = new ArrayList<>(indices.length);
        for (int i : indices) {
            sequences.add(ids[i]);
            types.add(typeIds[i]);
        }
        return Batch.pad(sequences, types, padId);
    }

    public FineTuner.LabelledBatch labelledBatch(int[] indices) {
        int[] y = new int[indices.length];
        for (int k = 0; k < y.length; k++) y[k] = labels[indices[k]];
        return new FineTuner.LabelledBatch(batch(indices), y);
    }

    /** Indices 0..n−1 ordered by length (longest first), for evaluation batches with little padding. */
    public int[] byLength() {
        return FrozenCache.byLength(this);   // the order the frozen-layer cache computes in
    }
}
