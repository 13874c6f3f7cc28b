/*
 * Weights packed once (Backend.prepareWeight) multiply exactly as the plain weight does: packing only
 * moves values and the products run the same FMA chains, so the comparison is bitwise, at shapes that
 * straddle the GEMM's K slice (384) and column block (4096). A frozen Parameter hands products its
 * prepared form and drops it when it becomes trainable or is assigned, so a product never reads a
 * stale copy. Packed copies stay within the backend's memory budget.
 */
package dev.kanna.backend.cpu;

import dev.kanna.autograd.Ops;
import dev.kanna.autograd.Parameter;
import dev.kanna.backend.Activation;
import dev.kanna.backend.oracle.Close;
import dev.kanna.tensor.DType;
import dev.kanna.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PreparedWeightTest {
    private final CpuBackend backend = new CpuBackend(2);
    private final Random random = new Random(5);

    @AfterEach
    void close() {
        backend.close();
    }

    private float[] randn(int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) random.nextGaussian();
        return x;
    }

    @ParameterizedTest
    @CsvSource({"1,1,1", "7,33,5", "300,70,384", "65,33,800", "20,4100,17"})
    void preparedWeightMultipliesLikeThePlainOne(int n, int o, int k) {
        Tensor in = backend.upload(randn(n * k), n, k), w = backend.upload(randn(o * k), o, k);
        Tensor bias = backend.upload(randn(o), o), prepared = backend.prepareWeight(w);
        assertNotSame(w, prepared);
        Tensor plain = backend.empty(DType.F32, n, o), packed = backend.empty(DType.F32, n, o);
        backend.linear(plain, in, w, bias);
        backend.linear(packed, in, prepared, bias);
        Close.assertBitwise("linear " + n + "×" + o + "×" + k, backend.download(plain), backend.download(packed));
        Tensor prePlain = backend.empty(DType.F32, n, o), prePacked = backend.empty(DType.F32, n, o);
        backend.linearActivation(plain, prePlain, in, w, bias, Activation.GELU_ERF);
        backend.linearActivation(packed, prePacked, in, prepared, bias, Activation.GELU_ERF);
        Close.assertBitwise("linear + GELU", backend.download(plain), backend.download(packed));
        Close.assertBitwise("pre-activation", backend.download(prePlain), backend.download(prePacked));
    }

    @Test
    void preparedWeightIsOnlyForProducts() {
        Tensor prepared = backend.prepareWeight(backend.upload(randn(6), 2, 3));
        var e = assertThrows(IllegalArgumentException.class, () -> backend.download(prepared));
        assertEquals(prepared + " is a prepared weight: only linear and linearActivation read it", e.getMessage());
        assertSame(prepared, backend.prepareWeight(prepared));
    }

    @Test
    void preparedWeightsStayWithinTheirMemoryBudget() {
        long one = 4L * Gemm.packedWeightSize(40, 16);
        try (CpuBackend small = new CpuBackend(1, one + one / 2)) {
            Tensor a = small.upload(randn(40 * 16), 40, 16), b = small.upload(randn(40 * 16), 40, 16);
            Tensor packedA = small.prepareWeight(a);
            assertNotSame(a, packedA);
            assertEquals(one, small.preparedBytes());
            assertSame(b, small.prepareWeight(b), "over budget: the weight itself");
            packedA.release();
            assertEquals(0, small.preparedBytes());
            assertNotSame(b, small.prepareWeight(b), "released bytes return to the budget");
        }
    }

    @Test
    void frozenParameterDropsItsPreparedFormWhenItCanChange() {
        int n = 3, o = 4, k = 5;
        Parameter weight = new Parameter("w", backend.upload(randn(o * k), o, k));
        Tensor in = backend.upload(randn(n * k), n, k);
        Ops ops = Ops.inference(backend);
        Tensor first = weight.productValue();
        assertNotSame(weight.value(), first);
        assertSame(first, weight.productValue());                         // made once
        float[] before = backend.download(ops.linear(in, weight, null));

        float[] replacement = randn(o * k);
        weight.assign(backend.upload(replacement, o, k));
        float[] after = backend.download(ops.linear(in, weight, null));
        float[] expected = backend.download(ops.linear(in, new Parameter("fresh", backend.upload(replacement, o, k)), null));
        Close.assertBitwise("product after assign", expected, after);
        assertNotSame(first, weight.productValue());
        assertEquals(false, java.util.Arrays.equals(before, after));

        weight.setTrainable(true);
        assertSame(weight.value(), weight.productValue());               // the optimizer writes it now
        weight.setTrainable(false);
        assertNotSame(weight.value(), weight.productValue());
    }
}
