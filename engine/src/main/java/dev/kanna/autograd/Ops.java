/*
 * The recorded op table: each method runs one Backend forward and, when a gradient is wanted (a
 * trainable parameter or a tracked input), records its backward on the tape with exactly what that
 * backward needs. Without a tape (inference, evaluation) or for frozen layers nothing is recorded and
 * no statistics are kept: layerNorm runs without mean/rstd, attention without its saved tensor.
 *
 * Dropout is on only in training mode; each dropout site takes the next seed of the step's stream
 * (DropoutRng.derive(stepSeed, site)), so a forward is a pure function of (weights, batch, stepSeed)
 * and the backward regenerates the same masks.
 */
package dev.kanna.autograd;

import dev.kanna.backend.Activation;
import dev.kanna.backend.Backend;
import dev.kanna.backend.DropoutRng;
import dev.kanna.tensor.DType;
import dev.kanna.tensor.Tensor;

import java.util.Arrays;
import java.util.List;

public final class Ops {
    private final Backend backend;
    private final Tape tape;
    private final boolean training;
    private final long stepSeed;
    private long dropoutSite;

    private Ops(Backend backend, Tape tape, boolean training, long stepSeed) {
        this.backend = backend;
        this.tape = tape;
        this.training = training;
        this.stepSeed = stepSeed;
    }

    /** Inference and evaluation: no tape, no dropout. */
    public static Ops inference(Backend backend) {
        return new Ops(backend, null, false, 0);
    }

    /** A training step: records on tape (null: no gradients), dropout drawn from stepSeed. */
    public static Ops training(Backend backend, Tape tape, long stepSeed) {
        return new Ops(backend, tape, true, stepSeed);
    }

    /** Records gradients with dropout off (gradient checks, or training with all dropout disabled). */
    public static Ops recording(Tape tape) {
        return new Ops(tape.backend(), tape, false, 0);
    }

    public Backend backend() {
        return backend;
    }

    /** The tape, or null when nothing is recorded. */
    public Tape tape() {
        return tape;
    }

    public boolean training() {
        return training;
    }

    /** Whether an op on input with these parameters would be recorded. */
    public boolean records(Tensor input, List<Parameter> params) {
        if (tape == null) return false;
        if (input != null && tape.tracks(input)) return true;
        for (Parameter p : params) if (p != null && p.trainable()) return true;
        return false;
    }

    private boolean records(Tensor input, Parameter... params) {
        return records(input, Arrays.asList(params));   // nullable entries (an absent bias)
    }

    private Tensor gradOf(Tensor t) {
        return tape.gradOrNull(t);
    }

    private static Tensor gradOf(Parameter p) {
        return p == null || !p.trainable() ? null : p.grad();
    }

    private static int[] withLastDim(Tensor t, int last) {
        int[] shape = t.shape();
        shape[shape.length - 1] = last;
        return shape;
    }

    // ---------------------------------------------------------------- the ops

    /** in (..., I) · weight (O, I)ᵀ + bias (O) → (..., O); bias nullable. */
    public Tensor linear(Tensor in, Parameter weight, Parameter bias) {
        Tensor out = backend.empty(DType.F32, withLastDim(in, weight.value().dim(0)));   // (..., O)
        backend.linear(out, in, weight.productValue(), bias == null ? null : bias.value());
        if (records(in, weight, bias)) {
            tape.track(out);
            tape.record(() -> {
                Tensor dOut = tape.existingGrad(out);
                if (dOut != null) backend.linearBackward(gradOf(in), gradOf(weight), gradOf(bias), dOut, in, weight.value());
            });
        }
        return out;
    }

    /**
     * act(in · weightᵀ + bias), fused (the backend applies act while the product is in cache); the
     * pre-activation (..., O) is kept only when recorded, for the backward.
     */
    public Tensor linearActivation(Tensor in, Parameter weight, Parameter bias, Activation act) {
        Tensor out = backend.empty(DType.F32, withLastDim(in, weight.value().dim(0)));   // (..., O)
        Tensor biasValue = bias == null ? null : bias.value();
        if (!records(in, weight, bias)) {
            backend.linearActivation(out, null, in, weight.productValue(), biasValue, act);
            return out;
        }
        Tensor pre = backend.empty(DType.F32, out.shape());                              // (..., O)
        backend.linearActivation(out, pre, in, weight.productValue(), biasValue, act);
        tape.track(out);
        tape.record(() -> {
            Tensor dOut = tape.existingGrad(out);
            if (dOut == null) return;
            Tensor dPre = backend.zeros(pre.shape());                                    // (..., O)
            backend.activationBackward(dPre, dOut, pre, act);
            backend.linearBackward(gradOf(in), gradOf(weight), gradOf(bias), dPre, in, weight.value());
            backend.release(dPre);
        });
        return out;
    }

    /** act(in), elementwise. */
    public Tensor activation(Tensor in, Activation act) {
        Tensor out = backend.empty(DType.F32, in.shape());                     // as in
        backend.activation(out, in, act);
        if (records(in)) {
            tape.track(out);
            tape.record(() -> {
                Tensor dOut = tape.existingGrad(out);
                if (dOut != null) backend.activationBackward(tape.grad(in), dOut, in, act);
            });
        }
        return out;
    }

    /** Dropout with drop probability p in training mode; the identity (no copy) otherwise. */
    public Tensor dropout(Tensor in, float p) {
        if (!training || p == 0f) return in;
        long seed = nextDropoutSeed();
        Tensor out = backend.empty(DType.F32, in.shape());                     // as in
        backend.dropout(out, in, p, seed);
        if (records(in)) {
            tape.track(out);
            tape.record(() -> {
                Tensor dOut = tape.existingGrad(out);
                if (dOut != null) backend.dropoutBackward(tape.grad(in), dOut, p, seed);
            });
        }
        return out;
    }

    /** LayerNorm over the last dimension; statistics kept only when recorded. */
    public Tensor layerNorm(Tensor in, Parameter weight, Parameter bias, float eps) {
        Tensor out = backend.empty(DType.F32, in.shape());                     // (N, C) as in
        if (!records(in, weight, bias)) {
            backend.layerNorm(out, null, null, in, weight.value(), bias.value(), eps);
            return out;
        }
        Tensor mean = backend.empty(DType.F32, in.rows());                     // (N)
        Tensor rstd = backend.empty(DType.F32, in.rows());                     // (N)
        backend.layerNorm(out, mean, rstd, in, weight.value(), bias.value(), eps);
        tape.track(out);
        tape.record(() -> {
            Tensor dOut = tape.existingGrad(out);
            if (dOut != null) {
                backend.layerNormBackward(gradOf(in), gradOf(weight), gradOf(bias), dOut, in, weight.value(), mean, rstd);
            }
        });
        return out;
    }

    /**
     * LayerNorm(a + b) over the last dimension, fused: a residual connection and the LayerNorm after
     * it read a and b once. The sum and the statistics are kept only when recorded.
     */
    public Tensor addLayerNorm(Tensor a, Tensor b, Parameter weight, Parameter bias, float eps) {
        Tensor out = backend.empty(DType.F32, a.shape());                      // (N, C) as a
        boolean recordA = records(a), recordB = records(b);
        if (!recordA && !recordB && !records(null, weight, bias)) {
            backend.addLayerNorm(out, null, null, null, a, b, weight.value(), bias.value(), eps);
            return out;
        }
        Tensor sum = backend.empty(DType.F32, a.shape());                      // (N, C)
        Tensor mean = backend.empty(DType.F32, a.rows());                      // (N)
        Tensor rstd = backend.empty(DType.F32, a.rows());                      // (N)
        backend.addLayerNorm(out, sum, mean, rstd, a, b, weight.value(), bias.value(), eps);
        tape.track(out);
        tape.record(() -> {
            Tensor dOut = tape.existingGrad(out);
            if (dOut == null) return;
            // One input needing a gradient takes ∂/∂sum directly; two share it through a temporary.
            Tensor dSum = recordA && recordB ? backend.zeros(sum.shape())
                    : recordA ? tape.grad(a) : recordB ? tape.grad(b) : null;   // (N, C)
            backend.layerNormBackward(dSum, gradOf(weight), gradOf(bias), dOut, sum, weight.value(), mean, rstd);
            if (recordA && recordB) {
                accumulate(tape.grad(a), dSum);
                accumulate(tape.grad(b), dSum);
                backend.release(dSum);
            }
        });
        return out;
    }

    /** a + b (a residual connection). */
    public Tensor add(Tensor a, Tensor b) {
        Tensor out = backend.empty(DType.F32, a.shape());                      // as a (and b)
        backend.add(out, a, b);
        boolean recordA = records(a), recordB = records(b);
        if (recordA || recordB) {
            tape.track(out);
            tape.record(() -> {
                Tensor dOut = tape.existingGrad(out);
                if (dOut == null) return;
                if (recordA) accumulate(tape.grad(a), dOut);
                if (recordB) accumulate(tape.grad(b), dOut);
            });
        }
        return out;
    }

    private void accumulate(Tensor grad, Tensor contribution) {
        backend.add(grad, grad, contribution);
    }

    /** word[ids] + position[t] + tokenType[typeIds] → (B, T, C); ids, typeIds (B, T) I32. */
    public Tensor embedding(Tensor ids, Tensor typeIds, Parameter word, Parameter position, Parameter tokenType) {
        Tensor out = backend.empty(DType.F32, ids.dim(0), ids.dim(1), word.value().dim(1));   // (B, T, C)
        backend.embedding(out, ids, typeIds, word.value(), position.value(), tokenType.value());
        if (records(null, word, position, tokenType)) {
            tape.track(out);
            tape.record(() -> {
                Tensor dOut = tape.existingGrad(out);
                if (dOut != null) {
                    backend.embeddingBackward(gradOf(word), gradOf(position), gradOf(tokenType), dOut, ids, typeIds);
                }
            });
        }
        return out;
    }

    /**
     * Multi-head attention over a packed qkv (B, T, 3C) with maskBias (B, T) → (B, T, C); dropout p on
     * the probabilities in training mode.
     */
    public Tensor attention(Tensor qkv, Tensor maskBias, int heads, float dropoutP) {
        float p = training ? dropoutP : 0f;
        long seed = p == 0f ? 0 : nextDropoutSeed();
        Tensor out = backend.empty(DType.F32, qkv.dim(0), qkv.dim(1), qkv.dim(2) / 3);   // (B, T, C)
        boolean record = records(qkv);
        Tensor saved = backend.attention(out, qkv, maskBias, heads, p, seed, record);
        if (record) {
            tape.track(out);
            tape.record(() -> {
                Tensor dOut = tape.existingGrad(out);
                if (dOut != null) backend.attentionBackward(tape.grad(qkv), dOut, qkv, maskBias, saved, heads, p, seed);
            });
        }
        return out;
    }

    /** in (N, C) rows picked by rows (M) I32 → (M, C), e.g. each sequence's [CLS] position. */
    public Tensor gatherRows(Tensor in, Tensor rows) {
        Tensor out = backend.empty(DType.F32, rows.dim(0), in.dim(-1));       // (M, C)
        backend.gatherRows(out, in, rows);
        if (records(in)) {
            tape.track(out);
            tape.record(() -> {
                Tensor dOut = tape.existingGrad(out);
                if (dOut != null) backend.scatterAddRows(tape.grad(in), dOut, rows);
            });
        }
        return out;
    }

    /**
     * Cross-entropy of logits (N, K) against labels (N; negative = ignored), reduced as torch's
     * "mean": Σₙ lossₙ / Σₙ w[yₙ] over the labelled rows. The gradient recorded is that mean times
     * gradScale (e.g. 1/accumulation steps). Returns the mean loss (not scaled); 0 when no row is labelled.
     *
     * @param classWeights per-class weights (K), or null for all 1
     */
    public double crossEntropy(Tensor logits, int[] labels, float[] classWeights, float labelSmoothing,
                               double gradScale) {
        int n = logits.rows(), k = logits.dim(-1);
        if (labels.length != n) throw new IllegalArgumentException(labels.length + " labels for " + n + " rows of logits");
        if (classWeights != null && classWeights.length != k) {
            throw new IllegalArgumentException(classWeights.length + " class weights for " + k + " classes");
        }
        double denominator = 0;
        for (int y : labels) {
            if (y >= k) throw new IllegalArgumentException("label " + y + " outside " + k + " classes");
            if (y >= 0) denominator += classWeights == null ? 1 : classWeights[y];
        }
        if (denominator == 0) return 0;
        Tensor labelT = backend.upload(labels, n);                                // (N)
        Tensor weightT = classWeights == null ? null : backend.upload(classWeights, k);   // (K)
        Tensor losses = backend.empty(DType.F32, n);                              // (N)
        boolean record = records(logits);
        Tensor dLogits = record ? backend.empty(DType.F32, logits.shape()) : null;   // (N, K)
        backend.crossEntropy(losses, dLogits, logits, labelT, weightT, labelSmoothing,
                (float) (gradScale / denominator));
        if (record) tape.record(() -> accumulate(tape.grad(logits), dLogits));
        double sum = 0;
        for (float l : backend.download(losses)) sum += l;
        return sum / denominator;
    }

    /**
     * Binary cross-entropy with logits, as torch's BCEWithLogitsLoss with reduction "mean": the mean
     * over all N·K elements of max(x, 0) − x·y + log(1 + e^−|x|), with logits x (N, K) and float
     * targets y (N·K, row-major; multi-hot 0/1, soft targets allowed). The gradient recorded is
     * (σ(x) − y) / (N·K) times gradScale. Returns the mean loss (not scaled).
     *
     * The loss and its gradient are computed on the host: the head's output is a few floats per
     * sequence, so a device kernel would save nothing, and every backend gets the same arithmetic.
     */
    public double binaryCrossEntropyWithLogits(Tensor logits, float[] targets, double gradScale) {
        float[] x = backend.download(logits);
        if (targets.length != x.length) {
            throw new IllegalArgumentException(targets.length + " targets for " + x.length + " logits " + logits);
        }
        double sum = 0;
        float[] dLogits = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            double v = x[i], y = targets[i];
            sum += Math.max(v, 0) - v * y + Math.log1p(Math.exp(-Math.abs(v)));
            dLogits[i] = (float) ((sigmoid(v) - y) * gradScale / x.length);
        }
        recordHostGradient(logits, dLogits);
        return sum / x.length;
    }

    /**
     * Mean squared error, as torch's MSELoss with reduction "mean": Σ (x − y)² / N over predictions
     * x (N, 1) or (N) and targets y (N). The gradient recorded is 2(x − y) / N times gradScale.
     * Returns the mean loss (not scaled). Host-side for the same reason as the binary cross-entropy.
     */
    public double meanSquaredError(Tensor predictions, float[] targets, double gradScale) {
        float[] x = backend.download(predictions);
        if (targets.length != x.length) {
            throw new IllegalArgumentException(targets.length + " targets for " + x.length + " predictions " + predictions);
        }
        double sum = 0;
        float[] dPredictions = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            double diff = (double) x[i] - targets[i];
            sum += diff * diff;
            dPredictions[i] = (float) (2 * diff * gradScale / x.length);
        }
        recordHostGradient(predictions, dPredictions);
        return sum / x.length;
    }

    /** Records ∂loss/∂output computed on the host, when output's gradient is wanted. */
    private void recordHostGradient(Tensor output, float[] gradient) {
        if (!records(output)) return;
        Tensor g = backend.upload(gradient, output.shape());
        tape.record(() -> accumulate(tape.grad(output), g));
    }

    private static double sigmoid(double x) {
        return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
    }

    private long nextDropoutSeed() {
        return DropoutRng.derive(stepSeed, dropoutSite++);
    }
}
