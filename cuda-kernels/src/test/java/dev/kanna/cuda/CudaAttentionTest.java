/*
 * Fused attention on the GPU against the CPU backend's Attention.java: output and the gradient of
 * the packed qkv, with padding masks (HF's large negative bias), dropout on the probabilities (the
 * same hash, so the same mask), head sizes that exercise every kernel instantiation (D = 16, 32, 64,
 * 128) and sequence lengths that leave partial tiles.
 */
package dev.kanna.cuda;

import dev.kanna.backend.Backend;
import dev.kanna.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertNull;

class CudaAttentionTest extends GpuTestBase {

    private record Shape(int b, int t, int heads, int hs) {
    }

    private static float[][] run(Backend be, Shape s, float[] qkv, float[] mask, float[] dOut, float[] dQkv0, float p,
                                 long seed) {
        int c = s.heads * s.hs;
        try (var scope = be.scope()) {
            Tensor tq = be.upload(qkv, s.b, s.t, 3 * c), tm = be.upload(mask, s.b, s.t);
            Tensor out = be.upload(Check.nan(s.b * s.t * c), s.b, s.t, c);
            Tensor saved = be.attention(out, tq, tm, s.heads, p, seed, true);
            Tensor dq = be.upload(dQkv0, s.b, s.t, 3 * c);
            be.attentionBackward(dq, be.upload(dOut, s.b, s.t, c), tq, tm, saved, s.heads, p, seed);
            Tensor inference = be.upload(Check.nan(s.b * s.t * c), s.b, s.t, c);
            assertNull(be.attention(inference, tq, tm, s.heads, p, seed, false), "nothing saved when not recording");
            return new float[][]{be.download(out), be.download(dq), be.download(inference)};
        }
    }

    private void parity(Shape s, float p, float maskValue, long seed) {
        Random r = new Random(seed);
        int c = s.heads * s.hs;
        float[] qkv = Check.gaussian(r, s.b * s.t * 3 * c, 1);
        float[] mask = new float[s.b * s.t];
        for (int bi = 0; bi < s.b; bi++) {
            int valid = Math.max(1, s.t - bi * (s.t / 3 + 1));   // later sequences padded more
            for (int j = valid; j < s.t; j++) mask[bi * s.t + j] = maskValue;
        }
        float[] dOut = Check.gaussian(r, s.b * s.t * c, 1), dQkv0 = Check.gaussian(r, qkv.length, 1);
        float[][] ref = run(cpu, s, qkv, mask, dOut, dQkv0, p, seed);
        float[][] got = run(gpu, s, qkv, mask, dOut, dQkv0, p, seed);
        String what = s + " p=" + p + " mask=" + maskValue;
        // fp32 on both sides; online softmax and tiled sums reorder the arithmetic
        Check.close(what + " out", ref[0], got[0], 1e-5, 1e-4);
        Check.close(what + " dQkv", ref[1], got[1], 1e-4, 1e-4);
        Check.close(what + " out without saving", ref[2], got[2], 1e-5, 1e-4);
    }

    @Test
    void smallHeadsPartialTiles() {
        parity(new Shape(2, 7, 3, 5), 0f, -10000f, 1);         // D = 16, one partial tile
        parity(new Shape(2, 7, 3, 5), 0.2f, -10000f, 2);
    }

    @Test
    void headSize32SeveralTiles() {
        parity(new Shape(2, 70, 2, 32), 0f, -Float.MAX_VALUE, 3);   // HF's torch.finfo(float32).min
        parity(new Shape(2, 70, 2, 32), 0.1f, -Float.MAX_VALUE, 4);
    }

    @Test
    void bertHeadSize64() {
        parity(new Shape(2, 130, 2, 64), 0.1f, -10000f, 5);    // 3 query tiles, 5 key tiles, the last partial
        parity(new Shape(1, 128, 12, 64), 0f, -10000f, 6);     // bert-base heads, full tiles
    }

    @Test
    void oddHeadSizes() {
        parity(new Shape(1, 33, 1, 100), 0.1f, -10000f, 7);   // D = 128
        parity(new Shape(3, 19, 2, 33), 0f, -10000f, 8);      // D = 64 with 31 padded dimensions
    }
}
