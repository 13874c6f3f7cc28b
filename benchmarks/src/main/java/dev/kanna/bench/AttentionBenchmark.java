/*
 * JMH: multi-head attention alone, batch 32 × sequence 128, MiniLM (12 heads × 32) and bert-base
 * (12 heads × 64): inference forward (nothing saved), training forward (probabilities saved, dropout
 * 0.1) and backward. Padding as in EncoderLayer (0 to 3/8 of each sequence).
 *
 *   java -jar benchmarks/target/benchmarks.jar AttentionBenchmark -p threads=2
 */
package dev.kanna.bench;

import dev.kanna.backend.Scope;
import dev.kanna.backend.cpu.CpuBackend;
import dev.kanna.tensor.DType;
import dev.kanna.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

@State(org.openjdk.jmh.annotations.Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector",
        "-Djdk.incubator.vector.VECTOR_ACCESS_OOB_CHECK=0", "-XX:+UseParallelGC"})
public class AttentionBenchmark {

    /** heads:headSize */
    @Param({"12:32", "12:64"})
    public String model;

    @Param({"2"})
    public int threads;

    static final int B = 32, T = 128;
    private CpuBackend backend;
    private Tensor qkv, mask, out, saved, dOut, dQkv;
    private int heads;

    @Setup(Level.Trial)
    public void setUp() {
        backend = new CpuBackend(threads);
        String[] f = model.split(":");
        heads = Integer.parseInt(f[0]);
        int c = heads * Integer.parseInt(f[1]);
        SplittableRandom random = new SplittableRandom(3);
        float[] x = new float[B * T * 3 * c];
        for (int i = 0; i < x.length; i++) x[i] = (float) (random.nextDouble() * 2 - 1);
        float[] m = new float[B * T];
        for (int s = 0; s < B; s++) {
            for (int j = T - (s % 4) * T / 8; j < T; j++) m[s * T + j] = -Float.MAX_VALUE;
        }
        qkv = backend.upload(x, B, T, 3 * c);
        mask = backend.upload(m, B, T);
        out = backend.empty(DType.F32, B, T, c);
        dOut = backend.upload(java.util.Arrays.copyOf(x, B * T * c), B, T, c);
        dQkv = backend.zeros(B, T, 3 * c);
        saved = backend.attention(out, qkv, mask, heads, 0.1f, 7, true);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        backend.close();
    }

    @Benchmark
    public void forwardInference() {
        backend.attention(out, qkv, mask, heads, 0f, 0, false);
    }

    @Benchmark
    public void forwardTraining() {
        try (Scope s = backend.scope()) {
            backend.attention(out, qkv, mask, heads, 0.1f, 7, true);
        }
    }

    @Benchmark
    public void backward() {
        backend.attentionBackward(dQkv, dOut, qkv, mask, saved, heads, 0.1f, 7);
    }
}
