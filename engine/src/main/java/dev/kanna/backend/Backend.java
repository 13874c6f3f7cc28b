/*
 * The op set every device implements: memory, then one forward/backward pair per coarse op, in
 * llm.c's argument order (outputs first, then inputs, then sizes and scalars). Model code calls only
 * this interface, so it never branches on the device.
 *
 * Conventions, for every implementation:
 *  - All tensors passed in were allocated by this backend. Shapes are checked by the caller (model
 *    code); backends may assert them.
 *  - Forward ops overwrite their outputs. Backward ops ACCUMULATE (+=) into gradient outputs, so a
 *    value used twice (a residual) simply receives two contributions. A null gradient output means
 *    "not needed" (frozen parameter, or an input that needs no gradient): skip that work.
 *  - Matrices are row-major. A tensor of shape (B, T, C) used as a matrix is (B*T, C).
 *  - Dropout masks come from {@link DropoutRng}: a counter-based hash of (seed, element index), so a
 *    backward pass regenerates the forward's mask instead of storing it, and every backend draws the
 *    same mask for the same seed.
 *  - Deterministic: for a given thread count, the same inputs give bitwise the same outputs.
 */
package dev.kanna.backend;

import dev.kanna.tensor.DType;
import dev.kanna.tensor.Tensor;

import java.util.List;

public interface Backend extends AutoCloseable {

    /** Short name: "cpu", "cuda". */
    String name();

    /** One line for logs: device, threads or GPU model, GEMM implementation in use. */
    String description();

    // ---------------------------------------------------------------- memory

    /** A tensor with unspecified contents (for outputs an op overwrites entirely). */
    Tensor empty(DType dtype, int... shape);

    /** A zero-filled tensor. */
    Tensor zeros(DType dtype, int... shape);

    default Tensor zeros(int... shape) {
        return zeros(DType.F32, shape);
    }

    Tensor upload(float[] data, int... shape);

    Tensor upload(int[] data, int... shape);

    float[] download(Tensor t);

    int[] downloadInts(Tensor t);

    /** dst = src (same element count). */
    void copy(Tensor dst, Tensor src);

    /** Returns the tensor's storage to the backend now. Views and already released tensors: no-op. */
    void release(Tensor t);

    /**
     * Opens an allocation scope on the calling thread: every tensor allocated until the scope closes
     * is released when it closes, except those passed to {@link Scope#keep}. Scopes nest.
     */
    Scope scope();

    /** Waits until all queued work is done (a no-op on synchronous backends). */
    default void synchronize() {
    }

    @Override
    default void close() {
    }

    // ---------------------------------------------------------------- elementwise

    /** t = value everywhere. */
    void fill(Tensor t, float value);

    /** out = a + b (out may be a or b). */
    void add(Tensor out, Tensor a, Tensor b);

    /** t *= factor. */
    void scale(Tensor t, float factor);

    /** Σ t², accumulated in double, returned to the host (gradient norms). */
    double sumOfSquares(Tensor t);

    /**
     * {@link #sumOfSquares} of each tensor, in one call: a GPU backend answers a whole gradient norm
     * with one host round trip instead of one per parameter.
     */
    default double[] sumsOfSquares(List<Tensor> tensors) {
        double[] sums = new double[tensors.size()];
        for (int i = 0; i < sums.length; i++) sums[i] = sumOfSquares(tensors.get(i));
        return sums;
    }

    // ---------------------------------------------------------------- dense layers

    /**
     * out(N, O) = in(N, I) · weight(O, I)ᵀ + bias(O). Weight in PyTorch's Linear layout; bias nullable.
     */
    void linear(Tensor out, Tensor in, Tensor weight, Tensor bias);

    /**
     * weight (O, I) in the form this backend's linear and linearActivation read fastest, for a weight
     * that stays constant from now on (a frozen layer, a model used for inference): the CPU backend
     * packs it into its GEMM's panels once instead of on every product. The result is only for those
     * two ops (as their weight) and does not follow later writes to weight; it holds its own storage
     * (about the weight's size) until released. A backend may return weight itself: when it has
     * nothing to gain (the default), or when prepared copies would take more memory than it allows.
     */
    default Tensor prepareWeight(Tensor weight) {
        return weight;
    }

    /**
     * dIn(N, I) += dOut(N, O) · weight(O, I);  dWeight(O, I) += dOut(N, O)ᵀ · in(N, I);
     * dBias(O) += Σₙ dOut(n, ·). Each gradient output nullable.
     */
    void linearBackward(Tensor dIn, Tensor dWeight, Tensor dBias, Tensor dOut, Tensor in, Tensor weight);

    /**
     * out(N, O) = act(in(N, I)·weight(O, I)ᵀ + bias(O)): a Linear layer and its activation in one op,
     * so a backend can apply the activation while the product is still in cache. preActivation (N, O),
     * nullable, receives in·weightᵀ + bias, the input activationBackward needs. out must not alias in.
     */
    default void linearActivation(Tensor out, Tensor preActivation, Tensor in, Tensor weight, Tensor bias,
                                  Activation act) {
        Tensor z = preActivation != null ? preActivation : out;
        linear(z, in, weight, bias);
        activation(out, z, act);
    }

    // ---------------------------------------------------------------- activations

    /** out = act(in), elementwise (out may be in). */
    void activation(Tensor out, Tensor in, Activation act);

    /** dIn += act'(in) · dOut. */
    void activationBackward(Tensor dIn, Tensor dOut, Tensor in, Activation act);

    /** out = in · mask / (1 − p) with mask ~ Bernoulli(1 − p) from (seed, index); p = 0 copies. */
    void dropout(Tensor out, Tensor in, float p, long seed);

    /** dIn += dOut · mask / (1 − p), the same mask as {@link #dropout} with that seed. */
    void dropoutBackward(Tensor dIn, Tensor dOut, float p, long seed);

    // ---------------------------------------------------------------- normalisation

    /**
     * LayerNorm over the last dimension: in (N, C), weight and bias (C). mean and rstd (N) receive
     * the statistics the backward needs; both null when not recording.
     */
    void layerNorm(Tensor out, Tensor mean, Tensor rstd, Tensor in, Tensor weight, Tensor bias, float eps);

    /**
     * out = LayerNorm(a + b): a residual connection and the LayerNorm after it in one op, reading a and
     * b once. sum (nullable) receives a + b, the input layerNormBackward needs; mean and rstd as in
     * {@link #layerNorm}. a, b, sum, out all (N, C).
     */
    default void addLayerNorm(Tensor out, Tensor sum, Tensor mean, Tensor rstd, Tensor a, Tensor b, Tensor weight,
                              Tensor bias, float eps) {
        Tensor s = sum != null ? sum : empty(DType.F32, a.shape());
        add(s, a, b);
        layerNorm(out, mean, rstd, s, weight, bias, eps);
        if (sum == null) release(s);
    }

    /** Gradients of {@link #layerNorm}; dIn, dWeight, dBias each nullable. */
    void layerNormBackward(Tensor dIn, Tensor dWeight, Tensor dBias, Tensor dOut,
                           Tensor in, Tensor weight, Tensor mean, Tensor rstd);

    // ---------------------------------------------------------------- embeddings and gathers

    /**
     * out(B, T, C) = word[ids] + position[t] + tokenType[typeIds]; ids and typeIds (B, T) I32;
     * word (V, C), position (P, C) with P ≥ T, tokenType (S, C).
     */
    void embedding(Tensor out, Tensor ids, Tensor typeIds, Tensor word, Tensor position, Tensor tokenType);

    /** Scatter-adds dOut(B, T, C) into the three tables' gradients (each nullable). */
    void embeddingBackward(Tensor dWord, Tensor dPosition, Tensor dTokenType, Tensor dOut,
                           Tensor ids, Tensor typeIds);

    /** out(M, C) = in(rows[m], C): e.g. the [CLS] row of each sequence, or the masked positions. */
    void gatherRows(Tensor out, Tensor in, Tensor rows);

    /** dIn(rows[m], C) += dOut(m, C). */
    void scatterAddRows(Tensor dIn, Tensor dOut, Tensor rows);

    // ---------------------------------------------------------------- attention

    /**
     * Multi-head scaled dot-product attention over a packed projection.
     * qkv (B, T, 3C) holds [query | key | value], each C = heads × headSize with head h at columns
     * h·headSize...; maskBias (B, T) is added to every score row (0 for tokens, a large negative for
     * padding). Attention probabilities get dropout p from seed: probability (b, h, i, j) draws
     * DropoutRng index ((b·H + h)·T + i)·T + j. out (B, T, C).
     *
     * @param save whether the backward will run; then the returned tensor holds what it needs (its
     *             shape is the backend's choice: probabilities, or softmax statistics), else null.
     */
    Tensor attention(Tensor out, Tensor qkv, Tensor maskBias, int heads, float dropoutP, long dropoutSeed,
                     boolean save);

    /** dQkv(B, T, 3C) += gradient of {@link #attention}; saved is what the forward returned. */
    void attentionBackward(Tensor dQkv, Tensor dOut, Tensor qkv, Tensor maskBias, Tensor saved, int heads,
                           float dropoutP, long dropoutSeed);

    // ---------------------------------------------------------------- losses and outputs

    /** Row-wise softmax of in (N, K) into out. */
    void softmax(Tensor out, Tensor in);

    /**
     * Softmax cross-entropy per row, as torch.nn.functional.cross_entropy before its reduction:
     * losses(N) = (1−ε)·w[y]·(−log p[y]) + (ε/K)·Σₖ w[k]·(−log p[k]), where p = softmax(logits(N, K)),
     * y = labels(N) (I32; a negative label is ignored: loss 0, gradient 0), w = classWeights(K)
     * (null: all 1), ε = labelSmoothing. dLogits (nullable) = gradScale · ∂lossₙ/∂logits, overwritten.
     * The caller divides by Σₙ w[yₙ] (torch's "mean") through gradScale and on the host.
     */
    void crossEntropy(Tensor losses, Tensor dLogits, Tensor logits, Tensor labels, Tensor classWeights,
                      float labelSmoothing, float gradScale);

    // ---------------------------------------------------------------- optimizer

    /**
     * One torch.optim.AdamW step on one parameter, in torch's order: param *= 1 − lr·weightDecay;
     * m = lerp(m, grad, 1 − beta1); v = beta2·v + (1 − beta2)·grad²;
     * param −= (lr / (1 − beta1^step)) · m / (√v / √(1 − beta2^step) + eps). step counts from 1.
     * Scalars are computed in double and applied in float, as torch does with Python-float hyperparameters.
     */
    void adamw(Tensor param, Tensor grad, Tensor m, Tensor v, double lr, double beta1, double beta2, double eps,
               double weightDecay, long step);
}
