/*
 * Our side of the GEMM side-by-side comparison (benchmarks/peers/gemm_side_by_side.py drives it): reads
 * one command per line on stdin and answers one line on stdout, so the peer (numpy, in the driver's own
 * process) and we run alternately on an otherwise identical footing, and neither runs while the other
 * is measured.
 *
 *   gemm LAYOUT M N K SECONDS  → "ok BEST_S MEDIAN_S CALLS"   (repeats the product for about SECONDS)
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

public final class GemmHarness {
    private GemmHarness() {
    }

    public static void main(String[] args) throws Exception {
        int threads = Integer.getInteger("kanna.threads", Runtime.getRuntime().availableProcessors());
        try (CpuBackend backend = new CpuBackend(threads);
             BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            System.out.println("ready " + backend.description());
            for (String line; (line = in.readLine()) != null; ) {
                String[] f = line.trim().split("\\s+");
                if (f[0].equals("quit")) break;
                if (!f[0].equals("gemm") || f.length != 6) {
                    System.out.println("error expected: gemm LAYOUT M N K SECONDS");
                    continue;
                }
                System.out.println(measure(backend, f[1], Integer.parseInt(f[2]), Integer.parseInt(f[3]),
                        Integer.parseInt(f[4]), Double.parseDouble(f[5])));
            }
        }
    }

    /** Runs one product repeatedly for about `seconds` (after a warm-up) and reports best and median times. */
    static String measure(CpuBackend backend, String layout, int m, int n, int k, double seconds) {
        try (var scope = backend.scope()) {
            Runnable product = product(backend, layout, m, n, k);
            long warmUntil = System.nanoTime() + (long) (0.3e9 * Math.max(1, seconds));
            while (System.nanoTime() < warmUntil) product.run();
            double[] times = new double[100_000];
            int calls = 0;
            long end = System.nanoTime() + (long) (seconds * 1e9);
            while (calls < 3 || (System.nanoTime() < end && calls < times.length)) {
                long t0 = System.nanoTime();
                product.run();
                times[calls++] = (System.nanoTime() - t0) / 1e9;
            }
            double[] sorted = Arrays.copyOf(times, calls);
            Arrays.sort(sorted);
            return "ok " + sorted[0] + " " + sorted[calls / 2] + " " + calls;
        }
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

    static Tensor random(CpuBackend backend, SplittableRandom random, int rows, int cols) {
        float[] x = new float[Math.multiplyExact(rows, cols)];
        for (int i = 0; i < x.length; i++) x[i] = (float) (random.nextDouble() * 2 - 1);
        return backend.upload(x, rows, cols);
    }
}
