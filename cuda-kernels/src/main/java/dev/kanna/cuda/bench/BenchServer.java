/*
 * Our side of the side-by-side GPU benchmark (benchmarks/gpu/side_by_side.py drives it and PyTorch in
 * turns, A B A B, both processes staying warm). One request per stdin line, one answer per stdout
 * line ("ok ms=<per run> ..." or "unavailable <why>"):
 *   info
 *   gemm <kernel> <M> <N> <K> <iters>   kernel: wg-256, wg-128 (the wgmma kernels, compute capability
 *                                       9.0 only: bf16 A (M,K) · B (N,K)ᵀ, both k-major), bf16-128,
 *                                       bf16-256 and the candidates bf16-128-fast, bf16-128-k64,
 *                                       bf16-256-k64 (mma.sync on bf16 operands, A (M,K) · B (K,N)
 *                                       row-major like torch.matmul); all but bf16-128 answer err=,
 *                                       the relative difference from bf16-128 (the kernel the tests
 *                                       check) on the same operands; f32in (the mixed backend's
 *                                       product on fp32 tensors, conversions included), simt (fp32),
 *                                       linear (the mixed backend's Linear forward: in (M,K) · W (N,K)ᵀ
 *                                       + bias)
 *   attn <B> <T> <H> <hs> <iters>       attention forward + backward (mask, no dropout), mixed backend
 *   train <B> <T> <iters> <modelDir>    a bert-base training step through the engine's FineTuner
 *                                       (answer adds launches=, kernel launches per step)
 *   mlm <B> <T> <iters> <modelDir>      a masked-LM training step (bert-base, every layer) through the same
 *                                       FineTuner: 15% of positions selected as DataCollatorForLanguage-
 *                                       Modeling does (80% [MASK], 10% random, 10% kept), vocabulary
 *                                       logits at the selected rows only (answer adds selected=)
 *   infer <B> <T> <iters> <modelDir>    inference throughput: sequence-classification logits of a B × T
 *                                       batch (upload, forward, download), the model loaded once per dir
 *                                       (answer adds seq_per_s=)
 *   profile                             one more training step (after train) with every launch
 *                                       bracketed by device events: GPU time per kernel, as a table
 *                                       on stderr (answer: gpu_ms=, the kernels' sum, and wall_ms=)
 *   launch packed                       switch to packed launch arguments (after their check;
 *                                       not yet run on a GPU, so a candidate measured last)
 *   overhead <iters>                    host cost of one launch: iters tiny launches back to back,
 *                                       host clock, then one synchronisation (answer: us=)
 *   quit
 * Inputs are random (never zeros: they run faster than real data), times come from device events
 * after warm-up, averaged over iters back-to-back runs.
 */
package dev.kanna.cuda.bench;

import dev.kanna.backend.BackendOptions;
import dev.kanna.bert.Batch;
import dev.kanna.bert.BertForMaskedLM;
import dev.kanna.bert.BertForSequenceClassification;
import dev.kanna.bert.FreezePolicy;
import dev.kanna.bert.LoadOptions;
import dev.kanna.cuda.CudaBackend;
import dev.kanna.cuda.DeviceBuffer;
import dev.kanna.cuda.GpuTimer;
import dev.kanna.cuda.Kernels;
import dev.kanna.cuda.OwnGemm;
import dev.kanna.optim.AdamW;
import dev.kanna.optim.LrSchedule;
import dev.kanna.tensor.DType;
import dev.kanna.tensor.Tensor;
import dev.kanna.train.FineTuner;
import dev.kanna.train.Loss;
import dev.kanna.train.Targets;

import java.util.ArrayList;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

public final class BenchServer {

    private final CudaBackend mixed = new CudaBackend(new BackendOptions(0, true));
    private CudaBackend fp32;

    public static void main(String[] args) throws Exception {
        BenchServer server = new BenchServer();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        System.out.println("ready " + server.mixed.description());
        for (String line; (line = in.readLine()) != null; ) {
            String[] w = line.trim().split("\\s+");
            if (w[0].isEmpty()) continue;
            if (w[0].equals("quit")) break;
            String answer;
            try {
                answer = switch (w[0]) {
                    case "info" -> "ok " + server.mixed.description();
                    case "gemm" -> server.gemm(w[1], Integer.parseInt(w[2]), Integer.parseInt(w[3]), Integer.parseInt(w[4]),
                            Integer.parseInt(w[5]));
                    case "attn" -> server.attention(Integer.parseInt(w[1]), Integer.parseInt(w[2]), Integer.parseInt(w[3]),
                            Integer.parseInt(w[4]), Integer.parseInt(w[5]));
                    case "overhead" -> server.launchOverhead(Integer.parseInt(w[1]));
                    case "profile" -> server.profileStep();
                    case "launch" -> w.length > 1 && w[1].equals("packed") && server.mixed.usePackedLaunches()
                            ? "ok packed" : "error packed launch arguments not in use: " + server.mixed.description();
                    case "mlm" -> server.mlmStep(Integer.parseInt(w[1]), Integer.parseInt(w[2]), Integer.parseInt(w[3]), w[4]);
                    case "infer" -> server.inference(Integer.parseInt(w[1]), Integer.parseInt(w[2]), Integer.parseInt(w[3]), w[4]);
                    case "train" -> server.trainStep(Integer.parseInt(w[1]), Integer.parseInt(w[2]), Integer.parseInt(w[3]),
                            w.length > 4 ? w[4] : null);
                    default -> "error unknown request " + w[0];
                };
            } catch (Throwable t) {
                answer = "error " + t.getClass().getSimpleName() + ": " + String.valueOf(t.getMessage()).replace('\n', ' ');
            }
            System.out.println(answer);
            System.out.flush();
        }
        server.mixed.close();
        if (server.fp32 != null) server.fp32.close();
        System.exit(0);
    }

    private static DeviceBuffer buf(Tensor t) {
        return (DeviceBuffer) t.storage();
    }

    private static Tensor random(CudaBackend b, long n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[Math.toIntExact(n)];
        for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextDouble() * 2 - 1);
        return b.upload(x, x.length);
    }

    /** Prepared products by request (kernel and shape): operands are made and uploaded once. */
    private final Map<String, Runnable> prepared = new HashMap<>();
    /** The bf16 operands and output of the bf16 product run last: (a16, b16, c). */
    private Tensor[] lastOperands;
    /** Whether that product's B was k-major ((N, K): the wgmma kernels) rather than (K, N). */
    private boolean lastBKMajor;

    private String gemm(String kernel, int m, int n, int k, int iters) {
        CudaBackend b = kernel.equals("simt") ? fp32() : mixed;
        Runnable run = prepared.get(kernel + " " + m + " " + n + " " + k);
        if (run == null) {
            run = prepare(b, kernel, m, n, k);
            if (run == null) return "error unknown kernel " + kernel;
            prepared.put(kernel + " " + m + " " + n + " " + k, run);
        }
        try (GpuTimer timer = new GpuTimer(b)) {
            for (int i = 0; i < 3; i++) run.run();
            b.synchronize();
            timer.start();
            for (int i = 0; i < iters; i++) run.run();
            double ms = timer.stopMillis() / (double) iters;
            b.synchronize();
            double tflops = 2.0 * m * n * k / (ms * 1e-3) / 1e12;
            boolean bf16 = kernel.startsWith("bf16-") || kernel.startsWith("wg-");
            String check = bf16 && !kernel.equals("bf16-128") ? " err=" + differenceFromChecked(m, n, k) : "";
            return String.format("ok ms=%.4f tflops=%.1f", ms, tflops) + check;
        }
    }

    /** Relative Frobenius difference between the last bf16 variant's product and bf16-128's, same operands. */
    private String differenceFromChecked(int m, int n, int k) {
        Tensor[] last = lastOperands;
        if (last == null) return "n/a";
        float[] candidate = mixed.download(last[2]);
        mixed.ownGemm().gemmBf16(buf(last[2]), buf(last[0]), buf(last[1]), m, n, k, true, lastBKMajor,
                OwnGemm.Bf16Variant.TILE128);
        float[] checked = mixed.download(last[2]);
        double num = 0, den = 0;
        for (int i = 0; i < checked.length; i++) {
            double d = candidate[i] - checked[i];
            num += d * d;
            den += (double) checked[i] * checked[i];
        }
        return String.format("%.2e", Math.sqrt(num / Math.max(den, 1e-300)));
    }

    /** C (M, N) = A (M, K) · B (K, N), both row-major (torch.matmul's layout), on random operands. */
    private Runnable prepare(CudaBackend b, String kernel, int m, int n, int k) {
        Tensor a = random(b, (long) m * k, 1), bb = random(b, (long) k * n, 2);
        Tensor c = b.empty(DType.F32, Math.toIntExact((long) m * n));
        if (kernel.startsWith("wg-")) {
            if (!b.ownGemm().wgmma()) throw new IllegalStateException("wgmma not in use: " + b.description());
            OwnGemm.WgVariant v = kernel.equals("wg-256") ? OwnGemm.WgVariant.TILE256 : OwnGemm.WgVariant.TILE128;
            Tensor a16 = b.empty(DType.F32, Math.toIntExact(((long) m * k + 1) / 2));
            Tensor b16 = b.empty(DType.F32, Math.toIntExact(((long) k * n + 1) / 2));   // read as (N, K)
            b.ownGemm().convertToBf16(buf(a16), buf(a), (long) m * k);
            b.ownGemm().convertToBf16(buf(b16), buf(bb), (long) k * n);
            Tensor[] operands = {a16, b16, c};
            return () -> {
                lastOperands = operands;
                lastBKMajor = true;
                b.ownGemm().gemmWg(buf(c), buf(a16), buf(b16), null, m, n, k, k, 1f, 0f, v, false);
            };
        }
        if (kernel.startsWith("bf16-")) {
            OwnGemm.Bf16Variant v = switch (kernel) {
                case "bf16-128" -> OwnGemm.Bf16Variant.TILE128;
                case "bf16-256" -> OwnGemm.Bf16Variant.TILE256;
                case "bf16-128-fast" -> OwnGemm.Bf16Variant.TILE128_FAST;
                case "bf16-128-k64" -> OwnGemm.Bf16Variant.TILE128_K64;
                case "bf16-256-k64" -> OwnGemm.Bf16Variant.TILE256_K64;
                default -> null;
            };
            if (v == null) return null;
            Tensor a16 = b.empty(DType.F32, Math.toIntExact(((long) m * k + 1) / 2));
            Tensor b16 = b.empty(DType.F32, Math.toIntExact(((long) k * n + 1) / 2));
            b.ownGemm().convertToBf16(buf(a16), buf(a), (long) m * k);
            b.ownGemm().convertToBf16(buf(b16), buf(bb), (long) k * n);
            Tensor[] operands = {a16, b16, c};
            return () -> {
                lastOperands = operands;
                lastBKMajor = false;
                b.ownGemm().gemmBf16(buf(c), buf(a16), buf(b16), m, n, k, true, false, v);
            };
        }
        if (kernel.equals("f32in") || kernel.equals("simt")) {
            return () -> b.matmul(c, a, bb, null, m, n, k, true, false, 1f, 0f, 1);
        }
        if (kernel.equals("linear")) {
            Tensor in = a.view(m, k), weight = bb.view(n, k), bias = random(b, n, 3), out = c.view(m, n);
            return () -> b.linear(out, in, weight, bias);
        }
        return null;
    }

    private String attention(int batch, int t, int heads, int hs, int iters) {
        CudaBackend b = mixed;
        int c = heads * hs;
        Runnable run = prepared.computeIfAbsent("attn " + batch + " " + t + " " + heads + " " + hs, key -> {
            Tensor qkv = random(b, (long) batch * t * 3 * c, 4).view(batch, t, 3 * c);
            Tensor mask = b.zeros(batch, t), out = b.empty(DType.F32, batch, t, c);
            Tensor dOut = random(b, (long) batch * t * c, 5).view(batch, t, c), dQkv = b.zeros(batch, t, 3 * c);
            return () -> {
                Tensor saved = b.attention(out, qkv, mask, heads, 0f, 0L, true);
                b.attentionBackward(dQkv, dOut, qkv, mask, saved, heads, 0f, 0L);
                b.release(saved);
            };
        });
        try (GpuTimer timer = new GpuTimer(b)) {
            for (int i = 0; i < 3; i++) run.run();
            b.synchronize();
            timer.start();
            for (int i = 0; i < iters; i++) run.run();
            double ms = timer.stopMillis() / (double) iters;
            b.synchronize();
            return String.format("ok ms=%.4f", ms);
        }
    }

    /** One training step with GPU time per kernel (the table goes to stderr). */
    private String profileStep() {
        if (tuner == null) return "error run a train request first";
        mixed.synchronize();
        long t0 = System.nanoTime();
        mixed.startProfile();
        tuner.step(List.of(trainBatch));
        List<Kernels.KernelTime> times = mixed.stopProfile();
        double wall = (System.nanoTime() - t0) / 1e6, total = 0;
        for (Kernels.KernelTime t : times) total += t.millis();
        System.err.printf("GPU time per kernel, one bert-base training step (sum %.2f ms; wall %.2f ms with the events):%n",
                total, wall);
        for (Kernels.KernelTime t : times) {
            System.err.printf("  %-34s %5d launches %9.3f ms %6.1f%%%n", t.name(), t.launches(), t.millis(), 100 * t.millis() / total);
        }
        System.err.flush();
        return String.format("ok gpu_ms=%.3f wall_ms=%.3f kernels=%d", total, wall, times.size());
    }

    /** Host microseconds per launch of a one-element kernel (JCuda argument marshalling and the driver call). */
    private String launchOverhead(int iters) {
        Tensor t = mixed.zeros(1), u = mixed.zeros(1);
        for (int i = 0; i < 1000; i++) mixed.add(u, t, t);
        mixed.synchronize();
        long t0 = System.nanoTime();
        for (int i = 0; i < iters; i++) mixed.add(u, t, t);
        long t1 = System.nanoTime();
        mixed.synchronize();
        double us = (t1 - t0) / 1e3 / iters, ms = (System.nanoTime() - t0) / 1e6;
        mixed.release(t);
        mixed.release(u);
        return String.format("ok us=%.2f ms=%.3f", us, ms);
    }

    private CudaBackend fp32() {
        if (fp32 == null) fp32 = new CudaBackend(new BackendOptions(0, false));
        return fp32;
    }

    /** The model and fine-tuner of the training-step benchmark, loaded on the first timed request. */
    private FineTuner tuner;
    private FineTuner.LabelledBatch trainBatch;

    /**
     * One bert-base training step on the mixed-precision CUDA backend, as the engine trains
     * (FineTuner.step: forward with dropout, cross-entropy, backward, global gradient norm, AdamW,
     * zeroing), every layer trainable, batch B × T of random tokens, AdamW lr 2e-5 and weight decay
     * 0.01 without clipping, like train_step_torch.py. The model comes from modelDir, the very
     * random-init BertConfig() model PyTorch trains (train_step_torch.py --save). iters = 0 only says
     * whether the step is available. Answers "ok ms=<per step>", host wall time after warm-up, the
     * device synchronised before and after (the step's own host round trips are part of it).
     */
    private String trainStep(int batch, int seq, int iters, String modelDir) throws IOException {
        if (iters == 0) return "ok available";
        if (tuner == null) {
            BertForSequenceClassification model = BertForSequenceClassification.load(Path.of(modelDir), mixed,
                    LoadOptions.defaults());
            FineTuner.Settings settings = new FineTuner.Settings(2e-5, new LrSchedule(LrSchedule.Kind.CONSTANT, 0, 0),
                    AdamW.Options.defaults().withWeightDecay(0.01), 0, 0f, null, true, 1L);
            tuner = new FineTuner(model, FreezePolicy.all(), settings);
            SplittableRandom r = new SplittableRandom(7);
            int n = batch * seq, vocab = model.config().vocabSize();
            int[] ids = new int[n], types = new int[n], mask = new int[n], labels = new int[batch];
            for (int i = 0; i < n; i++) {
                ids[i] = r.nextInt(vocab);
                mask[i] = 1;
            }
            for (int i = 0; i < batch; i++) labels[i] = r.nextInt(model.numLabels());
            trainBatch = new FineTuner.LabelledBatch(new Batch(batch, seq, ids, types, mask), labels);
        }
        return "ok " + timedSteps(tuner, trainBatch, iters);
    }

    /**
     * iters steps of tuner on batch after 3 warm-up steps, host wall time with the device synchronised
     * before and after: "ms=<per step> loss=<last> launches=<per step>".
     */
    private String timedSteps(FineTuner tuner, FineTuner.LabelledBatch batch, int iters) {
        List<FineTuner.LabelledBatch> step = List.of(batch);
        for (int i = 0; i < 3; i++) tuner.step(step);
        mixed.synchronize();
        long t0 = System.nanoTime();
        double loss = 0;
        long launches0 = mixed.launches();
        for (int i = 0; i < iters; i++) loss = tuner.step(step).loss();
        mixed.synchronize();
        double ms = (System.nanoTime() - t0) / 1e6 / iters;
        return String.format("ms=%.3f loss=%.4f launches=%d", ms, loss, (mixed.launches() - launches0) / iters);
    }

    /** The masked-LM step's fine-tuner and its fixed masked batch, made on the first mlm request. */
    private FineTuner mlmTuner;
    private FineTuner.LabelledBatch mlmBatch;

    /**
     * One masked-LM training step of the model in modelDir (a BertForMaskedLM saved by transformers,
     * decoder tied to the word embeddings) on the mixed-precision CUDA backend, every layer trainable,
     * AdamW lr 5e-5, weight decay 0.01, no clipping, as train_step_torch.py's TorchMlmStep. The batch is
     * fixed: random tokens, each position selected with probability 0.15; selected positions become
     * [MASK] (id 103) 80% of the time, a random token 10%, unchanged 10%. Our head computes the
     * vocabulary logits at the selected rows only (pretrain's sparse head); PyTorch's at every position.
     */
    private String mlmStep(int batch, int seq, int iters, String modelDir) throws IOException {
        if (iters == 0) return "ok available";
        if (mlmTuner == null) {
            BertForMaskedLM model = BertForMaskedLM.load(Path.of(modelDir), mixed, LoadOptions.defaults());
            FineTuner.Settings settings = new FineTuner.Settings(5e-5, new LrSchedule(LrSchedule.Kind.CONSTANT, 0, 0),
                    AdamW.Options.defaults().withWeightDecay(0.01), 0, new Loss.CrossEntropy(null, 0f), true, 1L);
            mlmTuner = new FineTuner(model, FreezePolicy.all(), settings);
            SplittableRandom r = new SplittableRandom(11);
            int n = batch * seq, vocab = model.config().vocabSize();
            int[] ids = new int[n], types = new int[n], mask = new int[n];
            List<Integer> rows = new ArrayList<>();
            List<Integer> labels = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                ids[i] = 1000 + r.nextInt(vocab - 1000);
                mask[i] = 1;
                if (r.nextDouble() < 0.15) {
                    rows.add(i);
                    labels.add(ids[i]);
                    double u = r.nextDouble();
                    if (u < 0.8) ids[i] = 103;
                    else if (u < 0.9) ids[i] = r.nextInt(vocab);
                }
            }
            int[] rowArray = rows.stream().mapToInt(Integer::intValue).toArray();
            int[] labelArray = labels.stream().mapToInt(Integer::intValue).toArray();
            mlmBatch = new FineTuner.LabelledBatch(new Batch(batch, seq, ids, types, mask), new Targets.Selected(rowArray, labelArray));
        }
        return "ok " + timedSteps(mlmTuner, mlmBatch, iters) + " selected=" + ((Targets.Selected) mlmBatch.targets()).rows().length;
    }

    /** Inference models by directory, loaded on first use. */
    private final Map<String, BertForSequenceClassification> inferenceModels = new HashMap<>();

    /**
     * Sequence-classification inference on a B × T batch of random tokens (no padding): upload, the
     * forward without a tape, the logits downloaded, as predict runs each batch. Host wall time per
     * batch after warm-up.
     */
    private String inference(int batch, int seq, int iters, String modelDir) throws IOException {
        if (iters == 0) return "ok available";
        BertForSequenceClassification model = inferenceModels.get(modelDir);
        if (model == null) {
            model = BertForSequenceClassification.load(Path.of(modelDir), mixed, LoadOptions.defaults());
            inferenceModels.put(modelDir, model);
        }
        SplittableRandom r = new SplittableRandom(13);
        int n = batch * seq, vocab = model.config().vocabSize();
        int[] ids = new int[n], types = new int[n], mask = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = r.nextInt(vocab);
            mask[i] = 1;
        }
        Batch input = new Batch(batch, seq, ids, types, mask);
        float checksum = 0;
        for (int i = 0; i < 3; i++) model.logits(input);
        mixed.synchronize();
        long t0 = System.nanoTime();
        for (int i = 0; i < iters; i++) checksum += model.logits(input)[0][0];
        double ms = (System.nanoTime() - t0) / 1e6 / iters;
        return String.format("ok ms=%.3f seq_per_s=%.0f first_logit=%.4f", ms, batch / ms * 1000, checksum / iters);
    }
}
