/*
 * A dense, row-major, contiguous array on one backend's device. The storage handle is opaque here
 * (a float[] on the CPU, a device pointer on CUDA): only the owning Backend reads or writes it, so
 * model code never branches on the device. A view shares storage under another shape (e.g. (B, T, C)
 * seen as (B*T, C)); only the tensor that allocated the storage releases it.
 */
package dev.kanna.tensor;

import dev.kanna.backend.Backend;

import java.util.Arrays;

public final class Tensor {
    private final Backend backend;
    private final DType dtype;
    private final int[] shape;
    private final long size;
    private final Object storage;
    private final boolean ownsStorage;
    private boolean released;

    /** Called by backends only; user code allocates through {@link Backend}. */
    public Tensor(Backend backend, DType dtype, int[] shape, Object storage, boolean ownsStorage) {
        this.backend = backend;
        this.dtype = dtype;
        this.shape = shape.clone();
        this.size = Shapes.elementCount(shape);
        this.storage = storage;
        this.ownsStorage = ownsStorage;
    }

    public Backend backend() {
        return backend;
    }

    public DType dtype() {
        return dtype;
    }

    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    /** Size of dimension {@code i}; negative counts from the end ({@code dim(-1)} is the last). */
    public int dim(int i) {
        return shape[i < 0 ? shape.length + i : i];
    }

    /** Number of elements. */
    public long size() {
        return size;
    }

    /** Rows when seen as a matrix: the product of all dimensions but the last. */
    public int rows() {
        return Math.toIntExact(size / Math.max(1, shape.length == 0 ? 1 : shape[shape.length - 1]));
    }

    public Object storage() {
        if (released) throw new IllegalStateException("tensor " + this + " was released");
        return storage;
    }

    public boolean ownsStorage() {
        return ownsStorage;
    }

    public boolean isReleased() {
        return released;
    }

    /** Marks this tensor released; backends call this when they take its storage back. */
    public void markReleased() {
        released = true;
    }

    /** The same storage under another shape with the same element count. */
    public Tensor view(int... newShape) {
        if (Shapes.elementCount(newShape) != size) {
            throw new IllegalArgumentException("cannot view " + Arrays.toString(shape) + " as "
                    + Arrays.toString(newShape) + ": element counts differ");
        }
        return new Tensor(backend, dtype, newShape, storage(), false);
    }

    /** Frees the storage now (only for tensors that own it); otherwise the enclosing scope does. */
    public void release() {
        backend.release(this);
    }

    @Override
    public String toString() {
        return dtype + Arrays.toString(shape) + "@" + backend.name();
    }
}
