/*
 * Named tensors a model loads from: a safetensors file, an imported ONNX graph, a test's map.
 * Values come widened to fp32; integer buffers (position_ids) are simply never asked for.
 */
package dev.kanna.bert;

import dev.kanna.tensor.HostTensor;

import java.util.Map;
import java.util.Set;

public interface WeightSource {

    /** Where the tensors come from, for error messages (a file path). */
    String origin();

    /** Every tensor name present. */
    Set<String> names();

    /** The shape of a present tensor. */
    int[] shape(String name);

    /** The values of a present tensor as fp32, row-major. */
    float[] floats(String name);

    /** This source without the tensors whose names start with prefix (a head to start fresh). */
    default WeightSource without(String prefix) {
        WeightSource all = this;
        Set<String> kept = new java.util.LinkedHashSet<>();
        for (String name : all.names()) if (!name.startsWith(prefix)) kept.add(name);
        return new WeightSource() {
            @Override
            public String origin() {
                return all.origin();
            }

            @Override
            public Set<String> names() {
                return kept;
            }

            @Override
            public int[] shape(String name) {
                return all.shape(name);
            }

            @Override
            public float[] floats(String name) {
                return all.floats(name);
            }
        };
    }

    /** A source over an in-memory map (tests, converted checkpoints). */
    static WeightSource of(String origin, Map<String, HostTensor> tensors) {
        return new WeightSource() {
            @Override
            public String origin() {
                return origin;
            }

            @Override
            public Set<String> names() {
                return tensors.keySet();
            }

            @Override
            public int[] shape(String name) {
                return tensors.get(name).shape();
            }

            @Override
            public float[] floats(String name) {
                return tensors.get(name).data();
            }
        };
    }
}
