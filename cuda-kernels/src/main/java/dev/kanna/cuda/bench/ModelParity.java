/*
 * Whole-model parity against PyTorch on the same machine (benchmarks/gpu/model_parity_torch.py writes
 * the model and the reference): the classification logits, the loss and the gradient of every
 * trainable parameter, computed by the engine (BertForSequenceClassification, FreezePolicy, Tape,
 * dropout off) in two modes, each against its PyTorch counterpart:
 *
 *   fp32  our backend with mixedPrecision=false   vs torch fp32 (TF32 off)    bound 1e-3 relative
 *   bf16  our backend with mixedPrecision=true    vs torch bf16 autocast      bound 2e-2 relative
 *
 * Relative error of a tensor = ‖ours − torch‖ / ‖torch‖ (L2 over all elements); logits also report the
 * largest absolute difference. An attention key bias has an exactly zero gradient in exact arithmetic
 * (softmax ignores a shift common to a score row), so both sides hold rounding noise there: it is
 * measured against the norm of its layer's whole query/key/value bias gradient instead.
 * The bf16 rows also show our error and PyTorch autocast's own error against torch fp32, which says
 * whose rounding a difference comes from.
 *
 *   java ... dev.kanna.cuda.bench.ModelParity DIR [--device cuda|cpu]
 *
 * Prints a table per mode and a last line "MODEL PARITY: PASS" or "MODEL PARITY: FAIL ..."; exits 0
 * only on PASS. --device cpu runs both modes on the CPU backend (which ignores mixedPrecision): a
 * rehearsal of the plumbing without a GPU, against a reference made by PyTorch on the CPU.
 */
package dev.kanna.cuda.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kanna.autograd.Ops;
import dev.kanna.autograd.Parameter;
import dev.kanna.autograd.Tape;
import dev.kanna.backend.Backend;
import dev.kanna.backend.BackendOptions;
import dev.kanna.backend.Backends;
import dev.kanna.backend.Scope;
import dev.kanna.bert.Batch;
import dev.kanna.bert.BertForSequenceClassification;
import dev.kanna.bert.BertInputs;
import dev.kanna.bert.FreezePolicy;
import dev.kanna.bert.LoadOptions;
import dev.kanna.bert.TrainableParameters;
import dev.kanna.io.SafetensorsFile;
import dev.kanna.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

public final class ModelParity {

    /** fp32: the same arithmetic in a different order through 4 layers (1e-3, the bound). */
    static final double FP32_BOUND = 1e-3;
    /** bf16: 8-bit mantissas (≈ 4e-3 per rounding) on both sides, independently (2e-2, the bound). */
    static final double BF16_BOUND = 2e-2;

    /** What one mode of our engine computed. */
    record Result(float[] logits, double loss, Map<String, float[]> grads) {
    }

    /** One compared tensor: relative error, and (bf16 rows) ours and torch bf16 against torch fp32. */
    record Row(String name, double relative, double maxAbs, double oursVsFp32, double torchVsFp32, boolean zeroExpected) {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: ModelParity DIR [--device cuda|cpu]");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        String device = args.length >= 3 && args[1].equals("--device") ? args[2] : "cuda";
        Map<String, float[]> ref = new TreeMap<>();
        int[] labels;
        Batch batch;
        Integer top;
        try (SafetensorsFile f = SafetensorsFile.open(dir.resolve("reference.safetensors"))) {
            for (String name : f.names()) {
                if (name.startsWith("fp32.") || name.startsWith("bf16.")) {
                    ref.put(name, name.endsWith(".loss") ? new float[]{(float) f.floats(name)[0]} : f.floats(name));
                }
            }
            labels = f.ints("labels");
            int[] shape = f.info("input_ids").intShape();
            JsonNode settings = new ObjectMapper().readTree(f.metadata().getOrDefault("settings", "{}"));
            top = settings.path("unfreeze_top").isInt() ? settings.get("unfreeze_top").asInt() : null;
            System.out.println("reference: " + settings + "; batch " + shape[0] + " x " + shape[1]);
            batch = new Batch(shape[0], shape[1], f.ints("input_ids"), f.ints("token_type_ids"), f.ints("attention_mask"));
        }
        FreezePolicy policy = top == null ? FreezePolicy.all() : FreezePolicy.unfreezeTop(top);

        int failures = 0;
        for (String mode : List.of("fp32", "bf16")) {
            boolean mixed = mode.equals("bf16");
            double bound = mixed ? BF16_BOUND : FP32_BOUND;
            Result ours;
            try (Backend backend = Backends.open(device, new BackendOptions(0, mixed), System.out::println)) {
                System.out.println();
                System.out.println("=== " + mode + ": " + backend.description());
                ours = run(dir, backend, policy, batch, labels);
            }
            failures += report(mode, bound, ours, ref);
        }
        System.out.println();
        System.out.println(failures == 0 ? "MODEL PARITY: PASS"
                : "MODEL PARITY: FAIL (" + failures + " comparisons over their bound)");
        System.exit(failures == 0 ? 0 : 1);
    }

    /** Logits, loss and gradients of the model in dir on backend, dropout off. */
    static Result run(Path dir, Backend backend, FreezePolicy policy, Batch batch, int[] labels) throws IOException {
        BertForSequenceClassification model = BertForSequenceClassification.load(dir, backend, LoadOptions.defaults());
        TrainableParameters trainable = policy.apply(model);
        float[] logits;
        double loss;
        long t0 = System.nanoTime();
        try (Scope ignored = backend.scope()) {
            Tape tape = new Tape(backend);
            Ops ops = Ops.recording(tape);
            Tensor out = model.logits(ops, BertInputs.upload(backend, batch, model.config()));   // (B, K)
            logits = backend.download(out);
            loss = ops.crossEntropy(out, labels, null, 0f, 1.0);
            tape.backward();
        }
        Map<String, float[]> grads = new TreeMap<>();
        for (Parameter p : trainable.parameters()) {
            float[] all = backend.download(p.grad());
            int parts = p.names().size(), size = all.length / parts;   // a fused q/k/v parameter holds three
            for (int k = 0; k < parts; k++) grads.put(p.names().get(k), java.util.Arrays.copyOfRange(all, k * size, (k + 1) * size));
        }
        System.out.printf("forward + backward + downloads: %.2f s, %d gradient tensors%n", (System.nanoTime() - t0) / 1e9,
                grads.size());
        return new Result(logits, loss, grads);
    }

    /** Prints mode's table; returns the number of comparisons over the bound. */
    static int report(String mode, double bound, Result ours, Map<String, float[]> ref) {
        String other = mode.equals("bf16") ? "fp32" : null;
        List<Row> rows = new ArrayList<>();
        rows.add(row("logits", ours.logits, ref.get(mode + ".logits"), other == null ? null : ref.get("fp32.logits"), null,
                false));
        TreeSet<String> expected = new TreeSet<>();
        for (String k : ref.keySet()) if (k.startsWith(mode + ".grad.")) expected.add(k.substring(mode.length() + 6));
        int failures = 0;
        if (!expected.equals(ours.grads.keySet())) {
            System.out.println("FAIL the tensors that receive gradients differ: torch " + expected + ", ours " + ours.grads.keySet());
            failures++;
        }
        for (String name : expected) {
            float[] got = ours.grads.get(name);
            if (got == null) continue;
            float[] want = ref.get(mode + ".grad." + name);
            float[] fp32 = other == null ? null : ref.get("fp32.grad." + name);
            if (name.endsWith("attention.self.key.bias")) {
                String layer = name.substring(0, name.length() - "key.bias".length());
                double scale = Math.sqrt(sumSq(ref.get(mode + ".grad." + layer + "query.bias"))
                        + sumSq(want) + sumSq(ref.get(mode + ".grad." + layer + "value.bias")));
                rows.add(row(name, got, want, fp32, scale, true));
            } else {
                rows.add(row(name, got, want, fp32, null, false));
            }
        }
        double lossDiff = Math.abs(ours.loss - ref.get(mode + ".loss")[0]);
        System.out.printf("%s loss: ours %.6f, torch %.6f, |difference| %.2e%n", mode, ours.loss, ref.get(mode + ".loss")[0],
                lossDiff);
        System.out.printf("%-52s %11s %11s%s%n", "tensor (" + mode + ", bound " + bound + ")", "rel. error", "max |diff|",
                other == null ? "" : String.format(" %11s %11s", "ours-fp32", "torch-fp32"));
        Row worst = null;
        for (Row r : rows) {
            boolean pass = r.relative <= bound;   // NaN fails
            if (!pass) failures++;
            if (worst == null || !(r.relative <= worst.relative)) worst = r;
            System.out.printf("%-52s %11.3e %11.3e%s%s%n", r.name + (r.zeroExpected ? " (0 expected)" : ""), r.relative,
                    r.maxAbs, other == null ? "" : String.format(" %11.3e %11.3e", r.oursVsFp32, r.torchVsFp32),
                    pass ? "" : "   FAIL");
        }
        System.out.printf("%s: %s — %d tensors, worst %.3e (%s), bound %.0e%n", mode, failures == 0 ? "PASS" : "FAIL",
                rows.size(), worst.relative, worst.name, bound);
        return failures;
    }

    /** Relative L2 error of ours against want (or against the norm `scale` when given); NaN anywhere gives NaN. */
    static Row row(String name, float[] ours, float[] want, float[] fp32, Double scale, boolean zeroExpected) {
        if (ours.length != want.length) {
            throw new IllegalStateException(name + ": " + ours.length + " values, torch has " + want.length);
        }
        double diff = 0, maxAbs = 0;
        for (int i = 0; i < ours.length; i++) {
            double d = (double) ours[i] - want[i];
            diff += d * d;
            maxAbs = Math.max(maxAbs, Math.abs(d));
            if (Double.isNaN(d)) maxAbs = Double.NaN;
        }
        double norm = scale != null ? scale : Math.sqrt(sumSq(want));
        double relative = Math.sqrt(diff) / norm;
        double oursVsFp32 = Double.NaN, torchVsFp32 = Double.NaN;
        if (fp32 != null) {
            double denominator = scale != null ? scale : Math.sqrt(sumSq(fp32));
            oursVsFp32 = distance(ours, fp32) / denominator;
            torchVsFp32 = distance(want, fp32) / denominator;
        }
        return new Row(name, relative, maxAbs, oursVsFp32, torchVsFp32, zeroExpected);
    }

    static double sumSq(float[] x) {
        double s = 0;
        for (float v : x) s += (double) v * v;
        return s;
    }

    static double distance(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += Math.pow((double) a[i] - b[i], 2);
        return Math.sqrt(s);
    }

    private ModelParity() {
    }
}
