/*
 * A tensor's values on the host under its shape: what saving hands to the safetensors writer, and
 * what readers hand to model loading.
 */
package dev.kanna.tensor;

import java.util.Arrays;

public record HostTensor(int[] shape, float[] data) {
    public HostTensor {
        if (Shapes.elementCount(shape) != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " does not hold " + data.length + " values");
        }
    }
}
