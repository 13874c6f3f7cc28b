/*
 * One tensor's entry in a safetensors header, after validation: where its bytes lie in the data
 * region (offsets are relative to the start of the data region, as in the header).
 */
package dev.kanna.io;

import java.util.Arrays;

public record TensorInfo(String name, SafetensorsDtype dtype, long[] shape, long byteOffset, long byteLength) {

    public TensorInfo {
        shape = shape.clone();
    }

    /** A copy of the shape; {@code []} for a scalar. */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    /** Product of the dimensions (1 for a scalar, 0 for a zero-sized tensor). */
    public long elementCount() {
        long n = 1;
        for (long d : shape) n = Math.multiplyExact(n, d);
        return n;
    }

    /** The shape as ints, for tensors whose every dimension fits in an int (all real model weights). */
    public int[] intShape() {
        int[] s = new int[shape.length];
        for (int i = 0; i < shape.length; i++) s[i] = Math.toIntExact(shape[i]);
        return s;
    }

    public boolean hasShape(long... expected) {
        return Arrays.equals(shape, expected);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t && name.equals(t.name) && dtype == t.dtype
                && Arrays.equals(shape, t.shape) && byteOffset == t.byteOffset && byteLength == t.byteLength;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + " " + dtype + Arrays.toString(shape) + " @" + byteOffset + "+" + byteLength;
    }
}
