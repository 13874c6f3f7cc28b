/*
 * The attention forward skips a sequence's trailing padded keys (mask bias −Float.MAX_VALUE). Skipping
 * must change nothing: the same inputs with a padding bias of −3e38, which the skip does not
 * recognise but which also gives probability exactly 0, run the full computation, and outputs and
 * saved probabilities must match bit for bit, with and without dropout, at lengths on and off the
 * vector width. (BackendConformance checks both against the double-precision oracle.)
 */
package dev.kanna.backend.cpu;

import dev.kanna.backend.oracle.Close;
import dev.kanna.tensor.DType;
import dev.kanna.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class AttentionPaddingTest {
    private final CpuBackend backend = new CpuBackend(2);
    private final Random random = new Random(3);

    @AfterEach
    void close() {
        backend.close();
    }

    @ParameterizedTest
    @CsvSource({"128,0", "128,0.1", "129,0", "37,0.2", "16,0"})
    void skippingTrailingPaddingChangesNothing(int t, float p) {
        int b = 4, heads = 2, hs = 8, c = heads * hs;
        float[] qkv = new float[b * t * 3 * c];
        for (int i = 0; i < qkv.length; i++) qkv[i] = (float) random.nextGaussian();
        int[] real = {t, t - 1, t / 2 + 1, 1};                 // tokens per sequence, padding after them
        float[] skipped = new float[b * t], full = new float[b * t];
        for (int bi = 0; bi < b; bi++) {
            for (int j = real[bi]; j < t; j++) {
                skipped[bi * t + j] = -Float.MAX_VALUE;
                full[bi * t + j] = -3e38f;
            }
        }
        assertEquals(t, Attention.keys(full, 3 * t, t), "a −3e38 bias is not skipped");
        Tensor tq = backend.upload(qkv, b, t, 3 * c);
        for (boolean save : new boolean[]{false, true}) {
            Tensor outSkipped = backend.empty(DType.F32, b, t, c), outFull = backend.empty(DType.F32, b, t, c);
            Tensor savedSkipped = backend.attention(outSkipped, tq, backend.upload(skipped, b, t), heads, p, 9, save);
            Tensor savedFull = backend.attention(outFull, tq, backend.upload(full, b, t), heads, p, 9, save);
            Close.assertBitwise("out, save " + save, backend.download(outFull), backend.download(outSkipped));
            if (save) Close.assertBitwise("saved probabilities", backend.download(savedFull), backend.download(savedSkipped));
        }
    }
}
