/*
 * JMH: one BERT encoder layer (EncoderLayer), inference forward and training forward + backward, at
 * MiniLM (hidden 384, 12 heads, intermediate 1536) and bert-base (768, 12, 3072) shapes, batch 32 ×
 * sequence 128. With -prof gc JMH reports the bytes allocated per call (pooled storage: only small
 * bookkeeping objects, no activation buffers, in steady state).
 *
 *   java -jar benchmarks/target/benchmarks.jar EncoderLayerBenchmark -p threads=2 -prof gc
 */
package dev.kanna.bench;

import dev.kanna.backend.cpu.CpuBackend;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector",
        "-Djdk.incubator.vector.VECTOR_ACCESS_OOB_CHECK=0", "-XX:+UseParallelGC", "-Xmx6g"})
public class EncoderLayerBenchmark {

    /** hidden:heads:intermediate */
    @Param({"384:12:1536", "768:12:3072"})
    public String model;

    @Param({"2"})
    public int threads;

    private CpuBackend backend;
    private EncoderLayer layer;
    private long step;

    @Setup(Level.Trial)
    public void setUp() {
        backend = new CpuBackend(threads);
        String[] f = model.split(":");
        layer = new EncoderLayer(backend, 32, 128, Integer.parseInt(f[0]), Integer.parseInt(f[1]), Integer.parseInt(f[2]));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        backend.close();
    }

    @Benchmark
    public void forward() {
        layer.forward();
    }

    @Benchmark
    public void forwardBackward() {
        layer.forwardBackward(step++);
    }
}
