/*
 * A text dataset after tokenization (classification, multi-label, regression): per row its token
 * ids and type ids (truncated, unpadded) and its target, a class id or a row of floats (multi-hot
 * or one value). Batches are padded to their longest member, so short texts do not pay for long ones.
 */
package dev.kanna.task;

import dev.kanna.bert.Batch;
import dev.kanna.data.Example;
import dev.kanna.tokenizer.BertTokenizer;
import dev.kanna.tokenizer.Encoding;
import dev.kanna.tokenizer.TextPair;
import dev.kanna.tokenizer.Truncation;
import dev.kanna.train.Targets;

import java.util.ArrayList;
import java.util.List;

public final class TextData implements TaskData {
    private final int[][] ids;        // [row][token]
    private final int[][] typeIds;    // [row][token]
    private final int padId;
    private final int[] classes;      // [row], single-label; null otherwise
    private final float[][] values;   // [row][K], multi-hot or regression; null otherwise

    private TextData(int[][] ids, int[][] typeIds, int padId, int[] classes, float[][] values) {
        this.ids = ids;
        this.typeIds = typeIds;
        this.padId = padId;
        this.classes = classes;
        this.values = values;
    }

    /** Tokenizes rows (pairs when they carry a second text) truncated to maxLength tokens; no targets yet. */
    public static TextData tokenize(BertTokenizer tokenizer, List<Example> rows, int maxLength) {
        BertTokenizer t = tokenizer.withTruncation(Truncation.of(maxLength)).withoutPadding();
        List<Encoding> encodings;
        if (rows.getFirst().textPair() != null) {
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
        for (int i = 0; i < n; i++) {
            ids[i] = encodings.get(i).ids();
            types[i] = encodings.get(i).typeIds();
        }
        return new TextData(ids, types, tokenizer.tokenToId("[PAD]").orElse(0), null, null);
    }

    /** The same rows with one class id each. */
    public TextData withClasses(int[] classIds) {
        if (classIds.length != size()) throw new IllegalArgumentException(classIds.length + " classes for " + size() + " rows");
        return new TextData(ids, typeIds, padId, classIds, null);
    }

    /** The same rows with a row of float targets each. */
    public TextData withValues(float[][] targets) {
        if (targets.length != size()) throw new IllegalArgumentException(targets.length + " targets for " + size() + " rows");
        return new TextData(ids, typeIds, padId, null, targets);
    }

    @Override
    public int size() {
        return ids.length;
    }

    @Override
    public int length(int i) {
        return ids[i].length;
    }

    /** Row i's class id (single-label data). */
    public int label(int i) {
        return classes[i];
    }

    /** Row i's float targets (multi-label, regression). */
    public float[] values(int i) {
        return values[i];
    }

    @Override
    public Batch batch(int[] indices) {
        List<int[]> sequences = new ArrayList<>(indices.length), types = new ArrayList<>(indices.length);
        for (int i : indices) {
            sequences.add(ids[i]);
            types.add(typeIds[i]);
        }
        return Batch.pad(sequences, types, padId);
    }

    @Override
    public Targets targets(int[] indices) {
        if (classes != null) {
            int[] y = new int[indices.length];
            for (int k = 0; k < y.length; k++) y[k] = classes[indices[k]];
            return new Targets.Classes(y);
        }
        if (values == null) throw new IllegalStateException("unlabelled data has no targets");
        int width = values[indices[0]].length;
        float[] y = new float[indices.length * width];                  // (B, K)
        for (int k = 0; k < indices.length; k++) System.arraycopy(values[indices[k]], 0, y, k * width, width);
        return new Targets.Values(y);
    }
}
