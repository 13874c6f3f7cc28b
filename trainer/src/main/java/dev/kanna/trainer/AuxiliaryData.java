/*
 * Labelled data from a related domain (train --aux-train), mixed into every training batch at a
 * fixed share (EpochBatches.Mixed) while the target data defines the epoch and is the only data
 * validated on. Its labels must be the target's, or be mapped onto them (--aux-label-map).
 *
 * @param file     the related-domain data, read as the task reads training data
 * @param weight   the share of each batch's rows it makes up, in (0, 1)
 * @param labelMap the aux label → target label map (LabelMapping), or null
 */
package dev.kanna.trainer;

import dev.kanna.data.LabelMapping;
import dev.kanna.task.DataOptions;
import dev.kanna.task.Task;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

public record AuxiliaryData(Path file, double weight, Path labelMap) {
    /** The share when --aux-weight is not given. */
    public static final double DEFAULT_WEIGHT = 0.3;

    public AuxiliaryData {
        if (!(weight > 0 && weight < 1)) throw new IllegalArgumentException("--aux-weight must be in (0, 1), got " + weight);
    }

    /** The rows, their labels mapped onto the target's labels; a label that is not one of them names file and line. */
    <R> List<R> rows(Task<R, ?> task, DataOptions options, List<String> labels) {
        LabelMapping mapping = labelMap == null ? LabelMapping.NONE : LabelMapping.read(labelMap);
        return task.relabel(task.read(file, options), labels, mapping, file);
    }

    /** The files by data role ("aux", "aux_label_map"), hashed for --resume and named in the training record. */
    Map<String, Path> files() {
        Map<String, Path> files = new LinkedHashMap<>();
        files.put("aux", file);
        if (labelMap != null) files.put("aux_label_map", labelMap);
        return files;
    }
}
