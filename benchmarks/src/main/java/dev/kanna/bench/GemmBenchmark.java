/*
 * JMH: the Linear layer's three GEMMs at BERT shapes (batch 32 × sequence 128 = 4096 rows) and the
 * 1024³ square, through the public Backend ops. Layouts as in PeerHarness: nt = linear forward
 * (in·Wᵀ), nn = input gradient (dOut·W), tn = weight gradient (dOutᵀ·in). Speed claims are ratios
 * against numpy measured in the same run: see peers/gemm_side_by_side.py and README.md.
 *
 *   java -jar benchmarks/target/benchmarks.jar GemmBenchmark -p threads=2
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
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector",
        "-Djdk.incubator.vector.VECTOR_ACCESS_OOB_CHECK=0", "-XX:+UseParallelGC"})
public class GemmBenchmark {

    /** LAYOUT:M:N:K. MiniLM: hidden 384, intermediate 1536; bert-base: 768, 3072. */
    @Param({"nt:1024:1024:1024",
            "nt:4096:384:384", "nt:4096:1536:384", "nt:4096:384:1536", "nn:4096:384:1536", "tn:1536:384:4096",
            "nt:4096:768:768", "nt:4096:3072:768", "nt:4096:768:3072", "nn:4096:768:3072", "tn:3072:768:4096"})
    public String shape;

    @Param({"2"})
    public int threads;

    private CpuBackend backend;
    private Runnable product;

    @Setup(Level.Trial)
    public void setUp() {
        backend = new CpuBackend(threads);
        String[] f = shape.split(":");
        product = PeerHarness.product(backend, f[0], Integer.parseInt(f[1]), Integer.parseInt(f[2]), Integer.parseInt(f[3]));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        backend.close();
    }

    @Benchmark
    public void gemm() {
        product.run();
    }
}
