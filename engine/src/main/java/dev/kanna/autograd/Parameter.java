/*
 * A learnable tensor under its Hugging Face name(s): the fp32 value on the backend, a gradient of the
 * same shape while it trains, and the trainable flag freezing policies set. A parameter may hold
 * several HF tensors stacked along dimension 0 (BERT's query, key and value weights fused into one
 * (3C, C) projection): names() lists them in stacking order, and saving splits them back.
 *
 * A frozen parameter's value is constant, so products may read it in the backend's prepared form
 * (Backend.prepareWeight: the CPU backend's packed GEMM panels), made on first use and dropped when the
 * parameter becomes trainable or is assigned. Write a new value through assign, not into value().
 */
package dev.kanna.autograd;

import dev.kanna.tensor.Tensor;

import java.util.List;

public final class Parameter {
    private final List<String> names;
    private final Tensor value;
    private Tensor grad;
    private boolean trainable;
    private Tensor prepared;      // the backend's prepared form of value while frozen; null until used

    /** A parameter holding one HF tensor. */
    public Parameter(String name, Tensor value) {
        this(List.of(name), value);
    }

    /** A parameter holding the HF tensors {@code names} stacked along dimension 0, in that order. */
    public Parameter(List<String> names, Tensor value) {
        if (names.isEmpty()) throw new IllegalArgumentException("a parameter needs at least one name");
        if (value.rank() == 0 || value.dim(0) % names.size() != 0) {
            throw new IllegalArgumentException(names + ": dimension 0 of " + value + " does not split into "
                    + names.size() + " equal parts");
        }
        this.names = List.copyOf(names);
        this.value = value;
    }

    /** The HF name of a single tensor, or a readable name for a fused one ("...self.{query,key,value}.weight"). */
    public String name() {
        if (names.size() == 1) return names.getFirst();
        String first = names.getFirst();
        int dot = first.lastIndexOf('.'), prev = first.lastIndexOf('.', dot - 1);
        StringBuilder parts = new StringBuilder();
        for (String n : names) {
            if (!parts.isEmpty()) parts.append(',');
            parts.append(n, prev + 1, n.lastIndexOf('.'));
        }
        return first.substring(0, prev + 1) + "{" + parts + "}" + first.substring(dot);
    }

    /** The HF tensor names this parameter holds, in stacking order. */
    public List<String> names() {
        return names;
    }

    public Tensor value() {
        return value;
    }

    /**
     * The value for the weight operand of Backend.linear and linearActivation: while frozen, the
     * backend's prepared form (made once, on first use); while trainable, the value itself.
     */
    public Tensor productValue() {
        if (trainable) return value;
        if (prepared == null) prepared = value.backend().prepareWeight(value);
        return prepared;
    }

    /** Copies src (same shape) into the value, dropping any prepared form made from the old one. */
    public void assign(Tensor src) {
        dropPrepared();
        value.backend().copy(value, src);
    }

    private void dropPrepared() {
        if (prepared != null && prepared != value) prepared.release();
        prepared = null;
    }

    /** The accumulated gradient; null while frozen. */
    public Tensor grad() {
        return grad;
    }

    public boolean trainable() {
        return trainable;
    }

    /**
     * Makes the parameter trainable (allocating a zeroed gradient) or frozen (releasing it). Call
     * outside any backend scope: the gradient lives as long as the parameter trains.
     */
    public void setTrainable(boolean trainable) {
        if (trainable) dropPrepared();     // the optimizer will write the value from now on
        if (trainable && grad == null) grad = value.backend().zeros(value.shape());
        if (!trainable && grad != null) {
            grad.release();
            grad = null;
        }
        this.trainable = trainable;
    }

    /** Number of elements. */
    public long size() {
        return value.size();
    }

    /** Whether AdamW's weight decay applies: not to biases and LayerNorm weights (transformers' Trainer rule). */
    public boolean decays() {
        String n = names.getFirst().toLowerCase(java.util.Locale.ROOT);
        return !n.contains("bias") && !n.contains("layernorm");
    }

    @Override
    public String toString() {
        return name() + " " + value + (trainable ? " trainable" : " frozen");
    }
}
