/*
 * Every non-matmul op of the CUDA backend against the CPU backend on the same inputs, at odd sizes:
 * memory, elementwise, activations, dropout (bit-identical masks), LayerNorm, embeddings and row
 * scatters (deterministic), softmax, cross-entropy, AdamW (bit-identical), error reporting.
 * Forward outputs are poisoned with NaN first (every element must be written); backward outputs
 * start from random values (every backward must accumulate).
 */
package dev.kanna.cuda;

import dev.kanna.backend.Activation;
import dev.kanna.backend.Backend;
import dev.kanna.tensor.DType;
import dev.kanna.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CudaOpsTest extends GpuTestBase {

    /** Runs the same computation on the CPU and the GPU (fp32 mode); returns {cpu results, gpu results}. */
    private static List<float[]>[] both(Function<Backend, List<float[]>> body) {
        @SuppressWarnings("unchecked")
        List<float[]>[] out = new List[2];
        for (int side = 0; side < 2; side++) {
            Backend b = side == 0 ? cpu : gpu;
            try (var scope = b.scope()) {
                out[side] = body.apply(b);
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- memory and elementwise

    @Test
    void uploadDownloadRoundTripsIncludingChunkedTransfers() {
        Random r = new Random(1);
        float[] big = Check.gaussian(r, 9_000_001, 1);   // > the 32 MB pinned staging buffer: chunked
        try (var scope = gpu.scope()) {
            Check.bitwise("floats", big, gpu.download(gpu.upload(big, big.length)));
            int[] ints = r.ints(1001, -50, 50).toArray();
            assertArrayEquals(ints, gpu.downloadInts(gpu.upload(ints, 7, 143)));
            Tensor z = gpu.zeros(5, 3);
            Check.bitwise("zeros", new float[15], gpu.download(z));
            gpu.fill(z, -2.5f);
            float[] filled = new float[15];
            java.util.Arrays.fill(filled, -2.5f);
            Check.bitwise("fill", filled, gpu.download(z));
        }
    }

    @Test
    void elementwiseOpsMatchCpu() {
        Random r = new Random(2);
        float[] a = Check.gaussian(r, 10_007, 1), b = Check.gaussian(r, 10_007, 1);
        var res = both(be -> {
            Tensor ta = be.upload(a, a.length), tb = be.upload(b, b.length), out = be.upload(Check.nan(a.length), a.length);
            be.add(out, ta, tb);
            float[] sum = be.download(out);
            be.add(ta, ta, tb);                  // in place
            be.scale(ta, 0.37f);
            Tensor c = be.empty(DType.F32, a.length);
            be.copy(c, ta);
            return List.of(sum, be.download(c));
        });
        Check.bitwise("add", res[0].get(0), res[1].get(0));
        Check.bitwise("add in place, scale, copy", res[0].get(1), res[1].get(1));
    }

    @Test
    void sumOfSquaresMatchesCpu() {
        Random r = new Random(3);
        List<float[]> parts = List.of(Check.gaussian(r, 1, 1), Check.gaussian(r, 70_001, 1), Check.gaussian(r, 3_000_000, 0.01),
                new float[0]);
        List<Tensor> tensors = new ArrayList<>();
        double[] expected = new double[parts.size()];
        try (var scope = gpu.scope()) {
            for (int i = 0; i < parts.size(); i++) {
                float[] p = parts.get(i);
                expected[i] = cpu.sumOfSquares(cpu.upload(p, p.length));
                tensors.add(gpu.upload(p, p.length));
            }
            // double sums on both sides, in different orders: ~1e-15 relative
            assertEquals(expected[1], gpu.sumOfSquares(tensors.get(1)), 1e-12 * expected[1], "one tensor");
            double[] all = gpu.sumsOfSquares(tensors);
            assertEquals(parts.size(), all.length);
            for (int i = 0; i < all.length; i++) {
                assertEquals(expected[i], all[i], 1e-12 * expected[i], "tensor " + i + " of a list");
            }
            assertArrayEquals(all, gpu.sumsOfSquares(tensors), 0.0, "reproducible bit for bit");
        }
    }

    // ---------------------------------------------------------------- activations and dropout

    @Test
    void activationsMatchCpu() {
        Random r = new Random(4);
        float[] x = new float[4001];
        for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextDouble() * 12 - 6);
        float[] dy = Check.gaussian(r, x.length, 1), dx0 = Check.gaussian(r, x.length, 1);
        for (Activation act : Activation.values()) {
            var res = both(be -> {
                Tensor tx = be.upload(x, x.length), out = be.upload(Check.nan(x.length), x.length);
                be.activation(out, tx, act);
                Tensor dx = be.upload(dx0, x.length);
                be.activationBackward(dx, be.upload(dy, dy.length), tx, act);
                return List.of(be.download(out), be.download(dx));
            });
            // float erff/tanhf/expf (a few ulp) against the CPU's fast erf/tanh/exp (VectorMath)
            Check.close(act + " forward", res[0].get(0), res[1].get(0), 1e-6, 1e-5);
            // The backward scales the CPU's tanh error (≤ 4e-7 absolute, VectorMath) by
            // |∂y'/∂tanh| = |½ − x·tanh·√(2/π)(1 + 3·0.044715x²)| ≤ 28.4 for |x| ≤ 6 (GELU_TANH), then by
            // |dOut|: 1.2e-5·max|dOut| absolute. The other activations stay within 1e-6.
            double atol = act == Activation.GELU_TANH ? 1.2e-5 * maxAbs(dy) : 1e-6;
            Check.close(act + " backward", res[0].get(1), res[1].get(1), atol, 1e-5);
        }
    }

    private static double maxAbs(float[] x) {
        double m = 0;
        for (float v : x) m = Math.max(m, Math.abs(v));
        return m;
    }

    @Test
    void dropoutMasksAreIdenticalToCpu() {
        Random r = new Random(5);
        float[] x = Check.gaussian(r, 50_001, 1), dy = Check.gaussian(r, x.length, 1), dx0 = Check.gaussian(r, x.length, 1);
        for (float p : new float[]{0f, 0.1f, 0.5f}) {
            var res = both(be -> {
                Tensor out = be.upload(Check.nan(x.length), x.length);
                be.dropout(out, be.upload(x, x.length), p, 0x5EEDL);
                Tensor dx = be.upload(dx0, x.length);
                be.dropoutBackward(dx, be.upload(dy, dy.length), p, 0x5EEDL);
                return List.of(be.download(out), be.download(dx));
            });
            Check.bitwise("dropout p=" + p, res[0].get(0), res[1].get(0));
            Check.bitwise("dropout backward p=" + p, res[0].get(1), res[1].get(1));
        }
    }

    // ---------------------------------------------------------------- layernorm

    @Test
    void layerNormMatchesCpu() {
        Random r = new Random(6);
        for (int[] s : new int[][]{{37, 70}, {5, 768}, {1, 3}}) {
            int n = s[0], c = s[1];
            float[] x = Check.gaussian(r, n * c, 2), w = Check.gaussian(r, c, 1), bias = Check.gaussian(r, c, 1);
            float[] dy = Check.gaussian(r, n * c, 1);
            float[] dx0 = Check.gaussian(r, n * c, 1), dw0 = Check.gaussian(r, c, 1), db0 = Check.gaussian(r, c, 1);
            var res = both(be -> {
                Tensor tx = be.upload(x, n, c), tw = be.upload(w, c), tb = be.upload(bias, c);
                Tensor out = be.upload(Check.nan(n * c), n, c), mean = be.upload(Check.nan(n), n), rstd = be.upload(Check.nan(n), n);
                be.layerNorm(out, mean, rstd, tx, tw, tb, 1e-12f);
                Tensor plain = be.upload(Check.nan(n * c), n, c);
                be.layerNorm(plain, null, null, tx, tw, tb, 1e-12f);
                Tensor dx = be.upload(dx0, n, c), dw = be.upload(dw0, c), db = be.upload(db0, c);
                be.layerNormBackward(dx, dw, db, be.upload(dy, n, c), tx, tw, mean, rstd);
                Tensor dwOnly = be.upload(dw0, c);
                be.layerNormBackward(null, dwOnly, null, be.upload(dy, n, c), tx, tw, mean, rstd);
                return List.of(be.download(out), be.download(mean), be.download(rstd), be.download(plain),
                        be.download(dx), be.download(dw), be.download(db), be.download(dwOnly));
            });
            String[] names = {"out", "mean", "rstd", "out without stats", "dIn", "dWeight", "dBias", "dWeight alone"};
            for (int i = 0; i < names.length; i++) {
                // statistics in double on both sides; float normalisation, FMA on the GPU; column sums reordered
                Check.close("layerNorm " + n + "x" + c + " " + names[i], res[0].get(i), res[1].get(i), 1e-5, 1e-5);
            }
        }
    }

    // ---------------------------------------------------------------- embeddings and row gathers

    @Test
    void embeddingMatchesCpuAndIsDeterministic() {
        Random r = new Random(7);
        int b = 3, t = 45, c = 70, vocab = 20, positions = 50, types = 2;
        int[] ids = new int[b * t], typeIds = new int[b * t];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = r.nextDouble() < 0.6 ? 0 : r.nextInt(vocab);   // a heavily repeated id, like padding
            typeIds[i] = i % t < 20 ? 0 : 1;
        }
        float[] word = Check.gaussian(r, vocab * c, 1), pos = Check.gaussian(r, positions * c, 1), type = Check.gaussian(r, types * c, 1);
        float[] dy = Check.gaussian(r, b * t * c, 1);
        float[] dw0 = Check.gaussian(r, vocab * c, 1), dp0 = Check.gaussian(r, positions * c, 1), dt0 = Check.gaussian(r, types * c, 1);
        var res = both(be -> {
            Tensor tids = be.upload(ids, b, t), ttypes = be.upload(typeIds, b, t);
            Tensor tw = be.upload(word, vocab, c), tp = be.upload(pos, positions, c), tt = be.upload(type, types, c);
            Tensor out = be.upload(Check.nan(b * t * c), b, t, c);
            be.embedding(out, tids, ttypes, tw, tp, tt);
            Tensor dw = be.upload(dw0, vocab, c), dp = be.upload(dp0, positions, c), dt = be.upload(dt0, types, c);
            be.embeddingBackward(dw, dp, dt, be.upload(dy, b, t, c), tids, ttypes);
            return List.of(be.download(out), be.download(dw), be.download(dp), be.download(dt));
        });
        Check.bitwise("embedding forward", res[0].get(0), res[1].get(0));   // the same two float adds
        String[] names = {"", "dWord", "dPosition", "dTokenType"};
        for (int i = 1; i < 4; i++) Check.close(names[i], res[0].get(i), res[1].get(i), 1e-5, 1e-5);   // reordered sums

        try (var scope = gpu.scope()) {
            Tensor tids = gpu.upload(ids, b, t), ttypes = gpu.upload(typeIds, b, t);
            Tensor dw = gpu.upload(dw0, vocab, c);
            gpu.embeddingBackward(dw, null, null, gpu.upload(dy, b, t, c), tids, ttypes);
            Check.bitwise("word gradient, second run", res[1].get(1), gpu.download(dw));
        }
    }

    @Test
    void scatterAddHandlesManyChunksAndRepeatedRows() {
        Random r = new Random(8);
        int rows = 40_000, c = 3, tableRows = 5;   // > 1024 chunks of 32 rows: the windowed finish
        int[] idx = new int[rows];
        for (int i = 0; i < rows; i++) idx[i] = r.nextInt(tableRows);
        float[] src = Check.gaussian(r, rows * c, 1), dst0 = Check.gaussian(r, tableRows * c, 1);
        int[] gatherIdx = {4, 0, 0, 3, 4, 1};
        float[] table = Check.gaussian(r, tableRows * c, 1);
        var res = both(be -> {
            Tensor dst = be.upload(dst0, tableRows, c);
            be.scatterAddRows(dst, be.upload(src, rows, c), be.upload(idx, rows));
            Tensor gathered = be.upload(Check.nan(gatherIdx.length * c), gatherIdx.length, c);
            be.gatherRows(gathered, be.upload(table, tableRows, c), be.upload(gatherIdx, gatherIdx.length));
            return List.of(be.download(dst), be.download(gathered));
        });
        // ~8000 float terms per element, summed in two different orders: ~1e-4 apart
        Check.close("scatterAddRows over 40000 rows", res[0].get(0), res[1].get(0), 5e-3, 1e-5);
        Check.bitwise("gatherRows", res[0].get(1), res[1].get(1));
    }

    // ---------------------------------------------------------------- outputs and losses

    @Test
    void softmaxMatchesCpu() {
        Random r = new Random(9);
        for (int[] s : new int[][]{{13, 7}, {3, 1000}, {1, 1}}) {
            float[] x = Check.gaussian(r, s[0] * s[1], 3);
            var res = both(be -> {
                Tensor out = be.upload(Check.nan(x.length), s[0], s[1]);
                be.softmax(out, be.upload(x, s[0], s[1]));
                return List.of(be.download(out));
            });
            Check.close("softmax " + s[0] + "x" + s[1], res[0].get(0), res[1].get(0), 1e-7, 1e-5);   // expf vs Math.exp
        }
    }

    @Test
    void crossEntropyMatchesCpu() {
        Random r = new Random(10);
        int n = 37, k = 5;
        float[] logits = Check.gaussian(r, n * k, 2), weights = {1f, 2f, 0.5f, 1f, 3f};
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) labels[i] = i % 9 == 4 ? -100 : r.nextInt(k);
        for (boolean weighted : new boolean[]{false, true}) {
            for (float smoothing : new float[]{0f, 0.1f}) {
                var res = both(be -> {
                    Tensor losses = be.upload(Check.nan(n), n), dl = be.upload(Check.nan(n * k), n, k);
                    be.crossEntropy(losses, dl, be.upload(logits, n, k), be.upload(labels, n),
                            weighted ? be.upload(weights, k) : null, smoothing, 1f / n);
                    Tensor lossesOnly = be.upload(Check.nan(n), n);
                    be.crossEntropy(lossesOnly, null, be.upload(logits, n, k), be.upload(labels, n), null, smoothing, 1f);
                    return List.of(be.download(losses), be.download(dl), be.download(lossesOnly));
                });
                String what = "crossEntropy weighted=" + weighted + " smoothing=" + smoothing;
                // double on both sides; the GPU's exp and reductions differ in the last bits
                Check.close(what + " losses", res[0].get(0), res[1].get(0), 1e-6, 1e-6);
                Check.close(what + " dLogits", res[0].get(1), res[1].get(1), 1e-7, 1e-6);
                Check.close(what + " losses only", res[0].get(2), res[1].get(2), 1e-6, 1e-6);
            }
        }
    }

    @Test
    void adamwIsBitIdenticalToCpu() {
        Random r = new Random(11);
        int n = 100_003;
        float[] p = Check.gaussian(r, n, 1), m = Check.gaussian(r, n, 0.01), v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) Math.abs(r.nextGaussian() * 1e-4);
        List<float[]> grads = List.of(Check.gaussian(r, n, 0.1), Check.gaussian(r, n, 0.1), Check.gaussian(r, n, 0.1));
        var res = both(be -> {
            Tensor tp = be.upload(p, n), tm = be.upload(m, n), tv = be.upload(v, n);
            for (int step = 1; step <= 3; step++) {
                be.adamw(tp, be.upload(grads.get(step - 1), n), tm, tv, 1e-3, 0.9, 0.999, 1e-8, step == 2 ? 0 : 0.01, step);
            }
            return List.of(be.download(tp), be.download(tm), be.download(tv));
        });
        // adamw.cu is built without FMA contraction and follows AdamW.java's operation order
        Check.bitwise("param", res[0].get(0), res[1].get(0));
        Check.bitwise("m", res[0].get(1), res[1].get(1));
        Check.bitwise("v", res[0].get(2), res[1].get(2));
    }

    // ---------------------------------------------------------------- bad input

    @Test
    void badIndicesAreReportedAtTheNextSynchronisation() {
        try (var scope = gpu.scope()) {
            Tensor word = gpu.zeros(10, 4), pos = gpu.zeros(8, 4), type = gpu.zeros(2, 4);
            Tensor out = gpu.empty(DType.F32, 1, 3, 4);
            gpu.embedding(out, gpu.upload(new int[]{1, 12, 3}, 1, 3), gpu.upload(new int[]{0, 0, 0}, 1, 3), word, pos, type);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> gpu.download(out));
            assertTrue(e.getMessage().contains("token id 12 outside vocabulary of 10"), e.getMessage());
            gpu.download(out);   // reported once; the backend stays usable

            Tensor losses = gpu.empty(DType.F32, 2);
            gpu.crossEntropy(losses, null, gpu.zeros(2, 3), gpu.upload(new int[]{0, 3}, 2), null, 0f, 1f);
            e = assertThrows(IllegalArgumentException.class, gpu::synchronize);
            assertTrue(e.getMessage().contains("label 3 outside 3 classes"), e.getMessage());
        }
    }
}
