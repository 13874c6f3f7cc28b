/*
 * Our side of the side-by-side comparisons (benchmarks/peers/gemm_side_by_side.py and
 * attention_side_by_side.py drive it): reads one command per line on stdin and answers one line on
 * stdout, so the peer (numpy or PyTorch, in the driver's own process) and we run alternately on an
 * otherwise identical footing, and neither runs while the other is measured.
 *
 *   gemm LAYOUT M N K SECONDS            → "ok BEST_S MEDIAN_S CALLS"  (repeats the op for ~SECONDS)
 *   attention MODE B T HEADS HS SECONDS  → the same; MODE infer (forward, nothing saved, no dropout)
 *                                          or train (forward saving, dropout 0.1, then backward)
 *   layer MODE B T C HEADS INTER SECONDS → one encoder layer (EncoderLayer), MODE infer or train
 *   quit
 *
 * LAYOUT names the product as the Linear layer uses it, through the public Backend ops:
 *   nt: c(M, N) = a(M, K)·b(N, K)ᵀ   (linear forward, no bias)
 *   nn: c(M, N) += a(M, K)·b(K, N)   (linear backward, input gradient)
 *   tn: c(M, N) += a(K, M)ᵀ·b(K, N)  (linear backward, weight gradient)
 * Threads: -Dkanna.threads (default: all processors).
 */
package dev.kanna.bench;

import dev.kanna.backend.cpu.CpuBackend;
import dev.kanna.tensor.Tensor;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;

public final class PeerHarness {
    private PeerHarness() {
    }

    public static void main(String[] args) throws Exception {
        int threads = Integer.getInteger("kanna.threads", Runtime.getRuntime().availableProcessors());
        try (CpuBackend backend = new CpuBackend(threads);
             BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            System.out.println("ready " + backend.description());
            for (String line; (line = in.readLine()) != null; ) {
                String[] f = line.trim().split("\\s+");
                if (f[0].equals("quit")) break;
                if (f[0].equals("gemm") && f.length == 6) {
                    try (var scope = backend.scope()) {
                        Runnable op = product(backend, f[1], Integer.parseInt(f[2]), Integer.parseInt(f[3]),
                                Integer.parseInt(f[4]));
                        System.out.println(measure(op, Double.parseDouble(f[5])));
                    }
                } else if (f[0].equals("attention") && f.length == 7) {
                    try (var scope = backend.scope()) {
                        Runnable op = attention(backend, f[1], Integer.parseInt(f[2]), Integer.parseInt(f[3]),
                                Integer.parseInt(f[4]), Integer.parseInt(f[5]));
                        System.out.println(measure(op, Double.parseDouble(f[6])));
                    }
                } else if (f[0].equals("layer") && f.length == 8) {
                    try (var scope = backend.scope()) {
                        EncoderLayer layer = new EncoderLayer(backend, Integer.parseInt(f[2]), Integer.parseInt(f[3]),
                                Integer.parseInt(f[4]), Integer.parseInt(f[5]), Integer.parseInt(f[6]));
                        long[] step = {0};
                        Runnable op = f[1].equals("train") ? () -> layer.forwardBackward(step[0]++) : layer::forward;
                        System.out.println(measure(op, Double.parseDouble(f[7])));
                    }
                } else {
                    System.out.println("error expected: gemm LAYOUT M N K SECONDS | attention MODE B T HEADS HS SECONDS"
                            + " | layer MODE B T C HEADS INTER SECONDS");
                }
            }
        }
    }

    /** Runs one op repeatedly for about `seconds` (after a warm-up) and reports best and median times. */
    static String measure(Runnable op, double seconds) {
        long warmUntil = System.nanoTime() + (long) (0.3e9 * Math.max(1, seconds));
        while (System.nanoTime() < warmUntil) op.run();
        double[] times = new double[100_000];
        int calls = 0;
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while (calls < 3 || (System.nanoTime() < end && calls < times.length)) {
            long t0 = System.nanoTime();
            op.run();
            times[calls++] = (System.nanoTime() - t0) / 1e9;
        }
        double[] sorted = Arrays.copyOf(times, calls);
        Arrays.sort(sorted);
        return "ok " + sorted[0] + " " + sorted[calls / 2] + " " + calls;
    }

    static Runnable product(CpuBackend backend, String layout, int m, int n, int k) {
        SplittableRandom random = new SplittableRandom(42);
        return switch (layout) {
            case "nt" -> {
                Tensor a = random(backend, random, m, k), w = random(backend, random, n, k), c = backend.zeros(m, n);
                yield () -> backend.linear(c, a, w, null);
            }
            case "nn" -> {
                // dIn(M, K') += dOut(M, O)·W(O, K'): here c = dIn (M, N), a = dOut (M, K), b = W (K, N).
                Tensor a = random(backend, random, m, k), b = random(backend, random, k, n), c = backend.zeros(m, n);
                Tensor unusedIn = backend.zeros(m, n);
                yield () -> backend.linearBackward(c, null, null, a, unusedIn, b);
            }
            case "tn" -> {
                // dW(O, I) += dOut(R, O)ᵀ·in(R, I): here c = dW (M, N), a = dOut (K, M), b = in (K, N).
                Tensor a = random(backend, random, k, m), b = random(backend, random, k, n), c = backend.zeros(m, n);
                Tensor unusedW = backend.zeros(m, n);
                yield () -> backend.linearBackward(null, c, null, a, b, unusedW);
            }
            default -> throw new IllegalArgumentException("layout " + layout + ": expected nt, nn or tn");
        };
    }

    /** BERT self-attention on a packed (B, T, 3C) projection with 0 to 3/8 of each sequence padded. */
    static Runnable attention(CpuBackend backend, String mode, int b, int t, int heads, int hs) {
        SplittableRandom random = new SplittableRandom(3);
        int c = heads * hs;
        Tensor qkv = random(backend, random, b * t, 3 * c).view(b, t, 3 * c);
        float[] m = new float[b * t];
        for (int s = 0; s < b; s++) {
            for (int j = t - (s % 4) * t / 8; j < t; j++) m[s * t + j] = -Float.MAX_VALUE;
        }
        Tensor mask = backend.upload(m, b, t), out = backend.zeros(b, t, c);
        Tensor dOut = random(backend, random, b * t, c).view(b, t, c), dQkv = backend.zeros(b, t, 3 * c);
        return switch (mode) {
            case "infer" -> () -> backend.attention(out, qkv, mask, heads, 0f, 0, false);
            case "train" -> () -> {
                try (var scope = backend.scope()) {
                    Tensor saved = backend.attention(out, qkv, mask, heads, 0.1f, 7, true);
                    backend.fill(dQkv, 0f);
                    backend.attentionBackward(dQkv, dOut, qkv, mask, saved, heads, 0.1f, 7);
                }
            };
            default -> throw new IllegalArgumentException("mode " + mode + ": expected infer or train");
        };
    }

    static Tensor random(CpuBackend backend, SplittableRandom random, int rows, int cols) {
        float[] x = new float[Math.multiplyExact(rows, cols)];
        for (int i = 0; i < x.length; i++) x[i] = (float) (random.nextDouble() * 2 - 1);
        return backend.upload(x, rows, cols);
    }
}
