/*
 * String labels ↔ class ids in a stable order: the distinct training labels sorted (by number when
 * all are integers, else by string), so the mapping does not depend on row order. Saved in the model's
 * config.json as id2label/label2id. Multi-label rows contribute every label they hold and are encoded
 * as multi-hot vectors.
 */
package dev.kanna.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

public final class LabelMap {
    private final List<String> labels;
    private final Map<String, Integer> ids = new LinkedHashMap<>();

    public LabelMap(List<String> labelsInIdOrder) {
        this.labels = List.copyOf(labelsInIdOrder);
        for (int i = 0; i < labels.size(); i++) {
            if (ids.put(labels.get(i), i) != null) {
                throw new IllegalArgumentException("duplicate label \"" + labels.get(i) + "\"");
            }
        }
    }

    /** The sorted distinct labels of the training rows: every label of every row (multi-label too). */
    public static LabelMap fromTraining(Collection<Example> rows) {
        TreeSet<String> distinct = new TreeSet<>();
        for (Example e : rows) {
            if (e.labels() == null) throw new IllegalArgumentException("line " + e.line() + " is unlabelled");
            distinct.addAll(e.labels());
        }
        List<String> sorted = new ArrayList<>(distinct);
        if (sorted.stream().allMatch(LabelMap::isInteger)) {
            sorted.sort(Comparator.comparingLong(Long::parseLong));
        }
        return new LabelMap(sorted);
    }

    private static boolean isInteger(String s) {
        try {
            Long.parseLong(s);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    public int size() {
        return labels.size();
    }

    public String label(int id) {
        return labels.get(id);
    }

    public List<String> labels() {
        return labels;
    }

    /** The id of a label seen in training; a label never seen is one clear error naming the row. */
    public int id(Example row, Path file) {
        return id(row.label(), row.line(), file);
    }

    /** The row's labels as a (K) vector: 1 for each label it holds, 0 elsewhere (multi-label targets). */
    public float[] multiHot(Example row, Path file) {
        float[] hot = new float[labels.size()];   // (K)
        for (String label : row.labels()) hot[id(label, row.line(), file)] = 1f;
        return hot;
    }

    private int id(String label, long line, Path file) {
        Integer id = ids.get(label);
        if (id == null) {
            throw new DatasetException(file + ":" + line + ": label \"" + label
                    + "\" was never seen in training (known labels: " + String.join(", ", labels) + ")");
        }
        return id;
    }

    public int[] ids(List<Example> rows, Path file) {
        int[] out = new int[rows.size()];
        for (int i = 0; i < out.length; i++) out[i] = id(rows.get(i), file);
        return out;
    }
}
