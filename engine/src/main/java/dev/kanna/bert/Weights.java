/*
 * Builds parameters from a WeightSource by Hugging Face name, candle's VarBuilder style: at("encoder")
 * pushes a name prefix, get(name, shape) loads a tensor shape-checked, uploads it as fp32 and registers
 * it. Names are canonical with the "bert." prefix; a checkpoint of a bare BertModel (no prefix) and
 * the TF-era LayerNorm names gamma/beta are found too. A tensor the checkpoint lacks is an error,
 * except for heads, which start fresh as transformers initialises them (normal(0, initializer_range)
 * weights, zero biases, unit LayerNorm) from a seeded stream; their names are collected for one warning.
 */
package dev.kanna.bert;

import dev.kanna.autograd.Parameter;
import dev.kanna.backend.Backend;
import dev.kanna.backend.DropoutRng;
import dev.kanna.tensor.Shapes;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

final class Weights {

    /** How a missing head tensor starts. */
    enum Init { NORMAL, ZEROS, ONES }

    /** State shared by every prefix view of one load. */
    private record Shared(WeightSource source, Backend backend, double initializerRange, long seed,
                          List<String> initialised) {
    }

    private final Shared shared;
    private final String prefix;

    Weights(WeightSource source, Backend backend, double initializerRange, long seed) {
        this(new Shared(source, backend, initializerRange, seed, new ArrayList<>()), "");
    }

    private Weights(Shared shared, String prefix) {
        this.shared = shared;
        this.prefix = prefix;
    }

    /** A view whose names start with prefix + name + ".". */
    Weights at(String name) {
        return new Weights(shared, prefix + name + ".");
    }

    Weights at(int index) {
        return at(Integer.toString(index));
    }

    /** A required tensor of exactly this shape. */
    Parameter get(String name, int... shape) {
        return new Parameter(prefix + name, shared.backend.upload(read(prefix + name, shape), shape));
    }

    /** A tensor that may be absent (a head): then it starts as init prescribes. */
    Parameter getOrInit(String name, Init init, int... shape) {
        String full = prefix + name;
        if (find(full) != null) return get(name, shape);
        shared.initialised.add(full);
        float[] data = initial(full, init, Math.toIntExact(Shapes.elementCount(shape)));
        return new Parameter(full, shared.backend.upload(data, shape));
    }

    /** Tensors names, each of partShape, stacked along dimension 0 into one parameter. */
    Parameter fused(List<String> names, int... partShape) {
        int part = Math.toIntExact(Shapes.elementCount(partShape));
        float[] stacked = new float[Math.multiplyExact(part, names.size())];
        List<String> full = new ArrayList<>();
        for (int k = 0; k < names.size(); k++) {
            full.add(prefix + names.get(k));
            System.arraycopy(read(prefix + names.get(k), partShape), 0, stacked, k * part, part);
        }
        int[] shape = partShape.clone();
        shape[0] = Math.multiplyExact(shape[0], names.size());
        return new Parameter(full, shared.backend.upload(stacked, shape));
    }

    /** Names of tensors that started fresh because the checkpoint lacks them. */
    List<String> initialised() {
        return List.copyOf(shared.initialised);
    }

    private float[] read(String name, int[] shape) {
        String found = find(name);
        WeightSource source = shared.source;
        if (found == null) {
            throw new WeightsException(source.origin() + ": missing tensor " + name + " (expected shape "
                    + Arrays.toString(shape) + (name.startsWith("bert.") ? "; also looked for it without the bert. prefix)" : ")"));
        }
        int[] actual = source.shape(found);
        if (!Arrays.equals(actual, shape)) {
            throw new WeightsException(source.origin() + ": tensor " + found + " has shape " + Arrays.toString(actual)
                    + ", expected " + Arrays.toString(shape));
        }
        return source.floats(found);
    }

    /** The name under which the checkpoint holds the canonical name, or null. */
    private String find(String name) {
        List<String> candidates = new ArrayList<>(List.of(name));
        if (name.startsWith("bert.")) candidates.add(name.substring("bert.".length()));
        if (name.equals("cls.predictions.bias")) candidates.add("cls.predictions.decoder.bias");   // older checkpoints
        for (String c : List.copyOf(candidates)) {
            if (c.endsWith("LayerNorm.weight")) candidates.add(c.replaceFirst("weight$", "gamma"));
            if (c.endsWith("LayerNorm.bias")) candidates.add(c.replaceFirst("bias$", "beta"));
        }
        for (String c : candidates) if (shared.source.names().contains(c)) return c;
        return null;
    }

    /** Fresh values; the stream depends only on (seed, name), so adding a head never shifts another. */
    private float[] initial(String name, Init init, int n) {
        float[] data = new float[n];
        switch (init) {
            case ZEROS -> { }
            case ONES -> Arrays.fill(data, 1f);
            case NORMAL -> data = normal(shared.seed, name, n, shared.initializerRange);
        }
        return data;
    }

    /** n draws of normal(0, std) from the stream of (seed, name): what a fresh tensor of that name starts as. */
    static float[] normal(long seed, String name, int n, double std) {
        float[] data = new float[n];
        long stream = DropoutRng.derive(seed, name.hashCode());
        for (int k = 0; k < n; k += 2) {
            // Box–Muller over two 53-bit uniforms from a counter-based hash
            double u1 = uniform(stream, k), u2 = uniform(stream, k + 1);
            double r = Math.sqrt(-2 * Math.log(1 - u1)), theta = 2 * Math.PI * u2;
            data[k] = (float) (std * r * Math.cos(theta));
            if (k + 1 < n) data[k + 1] = (float) (std * r * Math.sin(theta));
        }
        return data;
    }

    private static double uniform(long stream, long index) {
        return (DropoutRng.derive(stream, index) >>> 11) * 0x1.0p-53;
    }
}
