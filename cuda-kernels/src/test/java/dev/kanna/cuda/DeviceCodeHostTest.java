/*
 * The device code's scalar functions, compiled by nvcc as a host program from the same .cu sources
 * as the PTX, against the Java they must match bit for bit: the dropout hash (so CPU and GPU draw
 * identical masks) and the AdamW update (adamw.cu, built without FMA contraction, against the CPU
 * backend's AdamW). Needs nvcc and a host compiler, not a GPU; skips without nvcc.
 */
package dev.kanna.cuda;

import dev.kanna.backend.DropoutRng;
import dev.kanna.backend.cpu.CpuBackend;
import dev.kanna.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class DeviceCodeHostTest {

    @TempDir
    static Path dir;
    private static Path program;

    @BeforeAll
    static void compile() throws Exception {
        var nvcc = Tools.find("nvcc");
        assumeTrue(nvcc.isPresent(), "nvcc not on PATH: cannot compile the device code for the host");
        program = dir.resolve("host_check");
        Tools.Result r = Tools.run(List.of(nvcc.get().toString(), "-std=c++17", "-O2", "-Xcompiler", "-ffp-contract=off",
                "-o", program.toString(), "src/test/cuda/host_check.cu"), null, null, 300);
        assumeTrue(r.exitCode() == 0 || !r.output().contains("host compiler"), "no host compiler for nvcc:\n" + r.output());
        assertEquals(0, r.exitCode(), "nvcc failed:\n" + r.output());
    }

    private static String[] runLines(String input) throws Exception {
        Tools.Result r = Tools.run(List.of(program.toString()), null, input, 120);
        assertEquals(0, r.exitCode(), "host_check failed:\n" + r.output());
        return r.output().strip().split("\n");
    }

    @Test
    void dropoutHashMatchesDropoutRngBitForBit() throws Exception {
        Random random = new Random(7);
        int n = 2000;
        long[] seeds = new long[n], indices = new long[n];
        StringBuilder in = new StringBuilder();
        for (int i = 0; i < n; i++) {
            seeds[i] = i < 4 ? new long[]{0, -1, Long.MIN_VALUE, 42}[i] : random.nextLong();
            indices[i] = i % 3 == 0 ? i : random.nextLong() & Long.MAX_VALUE;   // small and huge element indices
            in.append("dropout ").append(Long.toHexString(seeds[i])).append(' ').append(Long.toHexString(indices[i])).append('\n');
        }
        String[] out = runLines(in.toString());
        assertEquals(n, out.length);
        for (int i = 0; i < n; i++) {
            float expected = DropoutRng.uniform(seeds[i], indices[i]);
            assertEquals(Float.floatToRawIntBits(expected), (int) Long.parseLong(out[i], 16),
                    "dropout_uniform(" + seeds[i] + ", " + indices[i] + ")");
        }
    }

    @Test
    void adamwUpdateMatchesCpuBackendBitForBit() throws Exception {
        Random random = new Random(11);
        int n = 500;
        float[] p = new float[n], g = new float[n], m = new float[n], v = new float[n];
        for (int i = 0; i < n; i++) {
            p[i] = (float) random.nextGaussian();
            g[i] = (float) random.nextGaussian() * 0.1f;
            m[i] = (float) random.nextGaussian() * 0.01f;
            v[i] = (float) Math.abs(random.nextGaussian()) * 1e-4f;
        }
        double lr = 3e-4, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, wd = 0.01;
        long step = 7;
        // the scalars exactly as CudaBackend.adamw computes them
        float decay = (float) (1 - lr * wd), w1 = (float) (1 - beta1), b2 = (float) beta2, w2 = (float) (1 - beta2);
        float stepSize = (float) (lr / (1 - Math.pow(beta1, step)));
        float bc2Sqrt = (float) Math.sqrt(1 - Math.pow(beta2, step));
        StringBuilder in = new StringBuilder();
        for (int i = 0; i < n; i++) {
            in.append("adamw");
            for (float x : new float[]{p[i], m[i], v[i], g[i], decay, w1, b2, w2, stepSize, bc2Sqrt, (float) eps}) {
                in.append(' ').append(Integer.toHexString(Float.floatToRawIntBits(x)));
            }
            in.append(" 1\n");
        }
        String[] out = runLines(in.toString());
        try (CpuBackend cpu = new CpuBackend(1)) {
            Tensor tp = cpu.upload(p, n), tg = cpu.upload(g, n), tm = cpu.upload(m, n), tv = cpu.upload(v, n);
            cpu.adamw(tp, tg, tm, tv, lr, beta1, beta2, eps, wd, step);
            float[] ep = cpu.download(tp), em = cpu.download(tm), ev = cpu.download(tv);
            for (int i = 0; i < n; i++) {
                String[] bits = out[i].split(" ");
                assertEquals(Float.floatToRawIntBits(ep[i]), (int) Long.parseLong(bits[0], 16), "param " + i);
                assertEquals(Float.floatToRawIntBits(em[i]), (int) Long.parseLong(bits[1], 16), "m " + i);
                assertEquals(Float.floatToRawIntBits(ev[i]), (int) Long.parseLong(bits[2], 16), "v " + i);
            }
        }
    }
}
