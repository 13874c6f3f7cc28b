/*
 * The view of a model that lists exactly what trains: the parameters whose trainable flag is set,
 * in model order, with their HF names and sizes. The optimizer and gradient clipping work on this.
 */
package dev.kanna.bert;

import dev.kanna.autograd.Parameter;

import java.util.ArrayList;
import java.util.List;

public final class TrainableParameters {
    private final List<Parameter> trainable;
    private final long total;

    public TrainableParameters(PretrainedBert model) {
        this.trainable = model.parameters().stream().filter(Parameter::trainable).toList();
        this.total = model.parameters().stream().mapToLong(Parameter::size).sum();
    }

    public List<Parameter> parameters() {
        return trainable;
    }

    /** Every HF tensor name that trains (a fused projection contributes its three names). */
    public List<String> names() {
        List<String> names = new ArrayList<>();
        for (Parameter p : trainable) names.addAll(p.names());
        return names;
    }

    /** Trainable elements. */
    public long count() {
        return trainable.stream().mapToLong(Parameter::size).sum();
    }

    /** One line: "1,234 of 5,678 parameters train (21.7%) in 12 tensors". */
    public String summary() {
        return String.format("%,d of %,d parameters train (%.1f%%) in %d tensors", count(), total,
                total == 0 ? 0.0 : 100.0 * count() / total, names().size());
    }

    @Override
    public String toString() {
        return summary();
    }
}
