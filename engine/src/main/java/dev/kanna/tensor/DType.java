/*
 * Element types a Tensor can hold on a compute device. Weights and activations are F32 (fp32 master
 * copies; a GPU backend may keep bf16 shadows internally); token ids, type ids, labels and row
 * indices are I32. Checkpoint dtypes (F16, BF16, I64...) belong to the safetensors layer, which
 * widens them before they reach a backend.
 */
package dev.kanna.tensor;

public enum DType {
    F32(4),
    I32(4);

    private final int byteSize;

    DType(int byteSize) {
        this.byteSize = byteSize;
    }

    public int byteSize() {
        return byteSize;
    }
}
