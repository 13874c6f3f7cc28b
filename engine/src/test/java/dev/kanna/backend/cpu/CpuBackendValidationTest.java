/*
 * Bad indices reaching the CPU backend fail with an IllegalArgumentException naming the value and the
 * allowed range, instead of reading another row's memory or an ArrayIndexOutOfBoundsException.
 */
package dev.kanna.backend.cpu;

import dev.kanna.tensor.DType;
import dev.kanna.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class CpuBackendValidationTest {
    private final CpuBackend backend = new CpuBackend(2);

    @AfterEach
    void close() {
        backend.close();
    }

    @Test
    void tokenIdOutsideTheVocabulary() {
        Tensor out = backend.empty(DType.F32, 1, 2, 3);
        var e = assertThrows(IllegalArgumentException.class, () -> backend.embedding(out,
                backend.upload(new int[]{1, 5}, 1, 2), backend.upload(new int[]{0, 0}, 1, 2),
                backend.zeros(5, 3), backend.zeros(4, 3), backend.zeros(2, 3)));
        assertEquals("token id 5 outside vocabulary of 5", e.getMessage());
    }

    @Test
    void sequenceLongerThanThePositionTable() {
        Tensor out = backend.empty(DType.F32, 1, 3, 2);
        var e = assertThrows(IllegalArgumentException.class, () -> backend.embedding(out,
                backend.upload(new int[]{0, 0, 0}, 1, 3), backend.upload(new int[]{0, 0, 0}, 1, 3),
                backend.zeros(5, 2), backend.zeros(2, 2), backend.zeros(2, 2)));
        assertEquals("sequence length 3 exceeds the 2 position embeddings", e.getMessage());
    }

    @Test
    void tokenTypeOutOfRange() {
        Tensor out = backend.empty(DType.F32, 1, 1, 2);
        var e = assertThrows(IllegalArgumentException.class, () -> backend.embedding(out,
                backend.upload(new int[]{0}, 1, 1), backend.upload(new int[]{2}, 1, 1),
                backend.zeros(5, 2), backend.zeros(2, 2), backend.zeros(2, 2)));
        assertEquals("token type id 2 outside 2 types", e.getMessage());
    }

    @Test
    void gatherAndScatterRowOutOfRange() {
        Tensor rows = backend.upload(new int[]{0, 4}, 2);
        var e = assertThrows(IllegalArgumentException.class,
                () -> backend.gatherRows(backend.empty(DType.F32, 2, 3), backend.zeros(4, 3), rows));
        assertEquals("row index 4 at 1 outside [0, 4)", e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> backend.scatterAddRows(backend.zeros(4, 3), backend.zeros(2, 3), rows));
    }

    @Test
    void labelOutsideTheClasses() {
        var e = assertThrows(IllegalArgumentException.class, () -> backend.crossEntropy(backend.empty(DType.F32, 1),
                null, backend.zeros(1, 3), backend.upload(new int[]{3}, 1), null, 0f, 1f));
        assertEquals("label 3 outside 3 classes", e.getMessage());
    }
}
