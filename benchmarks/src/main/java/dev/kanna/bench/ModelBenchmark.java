/*
 * JMH through the model code (BertModel, Ops, Tape, FineTuner), batch 32 × sequence 128, random
 * weights:
 *   layerForward          one encoder layer at inference (Ops.inference: no tape, no dropout)
 *   layerForwardBackward  one encoder layer recorded with dropout on (training), then its backward
 *                         from a fixed output gradient into its weights and its input
 *                         at MiniLM (hidden 384, 12 heads, intermediate 1536) and bert-base (768, 12, 3072) shapes;
 *   trainStep             one FineTuner step of a MiniLM-shaped classifier (6 layers; top 2 + pooler + head,
 *                         or every parameter): forward, loss, backward, clipping, AdamW;
 *   inference             that classifier's logits (embeddings, 6 layers, pooler, classifier).
 * EncoderLayerBenchmark composes the same layer from Backend ops directly; the difference between the
 * two is what the model code costs on top of the kernels. Each layer call uploads its (B, T, C) input
 * (~1% of a layer's time at these shapes), as BertModel.forward takes ownership of it.
 *
 *   java -jar benchmarks/target/benchmarks.jar ModelBenchmark -p threads=2 [-prof gc]
 */
package dev.kanna.bench;

import dev.kanna.autograd.Ops;
import dev.kanna.autograd.Tape;
import dev.kanna.backend.Scope;
import dev.kanna.backend.cpu.CpuBackend;
import dev.kanna.bert.Batch;
import dev.kanna.bert.BertConfig;
import dev.kanna.bert.BertForSequenceClassification;
import dev.kanna.bert.FreezePolicy;
import dev.kanna.bert.HiddenBatch;
import dev.kanna.bert.HiddenInputs;
import dev.kanna.bert.LoadOptions;
import dev.kanna.optim.AdamW;
import dev.kanna.optim.LrSchedule;
import dev.kanna.tensor.Tensor;
import dev.kanna.train.FineTuner;
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

import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector",
        "-Djdk.incubator.vector.VECTOR_ACCESS_OOB_CHECK=0", "-XX:+UseG1GC", "-Xmx6g"})
public class ModelBenchmark {
    static final int B = 32, T = 128;

    @State(org.openjdk.jmh.annotations.Scope.Benchmark)
    public static class Layer {
        /** hidden:heads:intermediate */
        @Param({"384:12:1536", "768:12:3072"})
        public String model;

        @Param({"2"})
        public int threads;

        CpuBackend backend;
        BertForSequenceClassification oneLayer;
        HiddenBatch input;
        float[] outputGradient;
        long seed;

        @Setup(Level.Trial)
        public void setUp() {
            backend = new CpuBackend(threads);
            String[] f = model.split(":");
            BertConfig config = RandomBert.config(1, Integer.parseInt(f[0]), Integer.parseInt(f[1]), Integer.parseInt(f[2]));
            oneLayer = BertForSequenceClassification.load(RandomBert.weights(config, 1), config, backend,
                    new LoadOptions(1, w -> { }));
            FreezePolicy.all().apply(oneLayer);
            int c = config.hiddenSize();
            SplittableRandom r = new SplittableRandom(2);
            float[] states = new float[B * T * c];
            outputGradient = new float[B * T * c];
            for (int k = 0; k < states.length; k++) {
                states[k] = (float) (r.nextDouble() * 2 - 1);
                outputGradient[k] = (float) ((r.nextDouble() * 2 - 1) * 1e-3);
            }
            input = new HiddenBatch(0, B, T, c, states, RandomBert.batch(B, T, 3).attentionMask());
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            backend.close();
        }
    }

    @Benchmark
    public void layerForward(Layer s) {
        try (Scope ignored = s.backend.scope()) {
            s.oneLayer.bert().forward(Ops.inference(s.backend), s.input.upload(s.backend));
        }
    }

    @Benchmark
    public void layerForwardBackward(Layer s) {
        try (Scope ignored = s.backend.scope()) {
            Tape tape = new Tape(s.backend);
            HiddenInputs in = s.input.upload(s.backend);
            tape.track(in.hidden());   // a layer inside the trained stack: its input needs a gradient too
            Tensor out = s.oneLayer.bert().forward(Ops.training(s.backend, tape, s.seed++), in);
            tape.backward(out, s.backend.upload(s.outputGradient, out.shape()));
        }
    }

    @State(org.openjdk.jmh.annotations.Scope.Benchmark)
    public static class Step {
        @Param({"top2", "all"})
        public String policy;

        @Param({"2"})
        public int threads;

        CpuBackend backend;
        BertForSequenceClassification model;
        FineTuner tuner;
        List<FineTuner.LabelledBatch> batch;

        @Setup(Level.Trial)
        public void setUp() {
            backend = new CpuBackend(threads);
            BertConfig config = RandomBert.config(6, 384, 12, 1536);
            model = BertForSequenceClassification.load(RandomBert.weights(config, 1), config, backend,
                    new LoadOptions(1, w -> { }));
            tuner = new FineTuner(model, policy.equals("all") ? FreezePolicy.all() : FreezePolicy.unfreezeTop(2),
                    new FineTuner.Settings(1e-4, new LrSchedule(LrSchedule.Kind.LINEAR, 0, 1_000_000),
                            AdamW.Options.defaults().withWeightDecay(0.01), 1.0, 0f, null, true, 42));
            Batch b = RandomBert.batch(B, T, 4);
            int[] labels = new int[B];
            for (int i = 0; i < B; i++) labels[i] = i % 2;
            batch = List.of(new FineTuner.LabelledBatch(b, labels));
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            backend.close();
        }
    }

    @Benchmark
    public FineTuner.StepResult trainStep(Step s) {
        return s.tuner.step(s.batch);
    }

    /** The whole classifier's inference (embeddings, 6 layers, pooler, head) on the step's batch. */
    @Benchmark
    public float[][] inference(Step s) {
        return s.model.logits(s.batch.getFirst().batch());
    }
}
