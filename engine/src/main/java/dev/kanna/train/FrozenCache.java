/*
 * The frozen lower stack's output, computed once per example and kept on the host. When the
 * embeddings and the bottom L encoder layers are frozen, their output for an example is the same in
 * every epoch (dropout off there, as it is here), so a training step can start at layer L from the
 * cached states and run only the layers that train (FineTuner.CachedBatch): epochs 2..n skip the
 * frozen work entirely.
 *
 * Examples run in length-sorted batches (longest first, as evaluation batches them), so there is
 * little padding, and each is kept unpadded: (tokens, C) fp32, Σ tokens × C × 4 bytes in all.
 * batch(indices) pads them again per training batch. The same weights and examples give bitwise the
 * same cache, so a resumed run recomputes exactly what the interrupted one used.
 */
package dev.kanna.train;

import dev.kanna.autograd.Ops;
import dev.kanna.backend.Backend;
import dev.kanna.backend.Scope;
import dev.kanna.bert.Batch;
import dev.kanna.bert.BertInputs;
import dev.kanna.bert.BertModel;
import dev.kanna.bert.HiddenBatch;
import dev.kanna.tensor.Tensor;

import java.util.Arrays;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

public final class FrozenCache {

    /** The examples to cache: how many, each one's token count, and right-padded batches of them. */
    public interface Examples {
        int size();

        /** Tokens of example i (its unpadded length). */
        int length(int i);

        /** The examples at indices, right-padded to their longest. */
        Batch batch(int[] indices);
    }

    private final int layer;          // the encoder layer the cached states enter
    private final int width;          // C
    private final float[][] states;   // [example] (tokens, C)

    private FrozenCache(int layer, int width, float[][] states) {
        this.layer = layer;
        this.width = width;
        this.states = states;
    }

    /** The host memory a cache of these examples takes: Σ tokens × width × 4 bytes. */
    public static long bytes(Examples examples, int width) {
        long tokens = 0;
        for (int i = 0; i < examples.size(); i++) tokens += examples.length(i);
        return Math.multiplyExact(Math.multiplyExact(tokens, width), Float.BYTES);
    }

    /**
     * Runs the embeddings and the first `layers` encoder layers of bert over every example, without
     * recording or dropout, batchSize examples at a time; progress (nullable) advances by examples.
     */
    public static FrozenCache compute(BertModel bert, int layers, Examples examples, int batchSize, IntConsumer progress) {
        if (layers < 0 || layers > bert.numLayers()) {
            throw new IllegalArgumentException("cannot cache " + layers + " layers of " + bert.numLayers());
        }
        if (batchSize < 1) throw new IllegalArgumentException("batch size " + batchSize);
        int c = bert.config().hiddenSize(), n = examples.size();
        bytes(examples, c);   // fails on overflow before anything is allocated
        float[][] states = new float[n][];
        int[] order = byLength(examples);
        Backend backend = bert.backend();
        for (int start = 0; start < n; start += batchSize) {
            int[] indices = Arrays.copyOfRange(order, start, Math.min(n, start + batchSize));
            Batch batch = examples.batch(indices);
            float[] out;   // (B, T, C)
            try (Scope ignored = backend.scope()) {
                Tensor hidden = bert.forwardTo(Ops.inference(backend), BertInputs.upload(backend, batch, bert.config()), layers);
                out = backend.download(hidden);
            }
            for (int k = 0; k < indices.length; k++) {
                int tokens = examples.length(indices[k]);
                checkRightPadded(batch, k, tokens);
                int from = k * batch.length() * c;
                states[indices[k]] = Arrays.copyOfRange(out, from, from + tokens * c);
            }
            if (progress != null) progress.accept(indices.length);
        }
        return new FrozenCache(layers, c, states);
    }

    /** Indices 0..n−1, longest first; ties keep their order (evaluation batches in this order too). */
    public static int[] byLength(Examples examples) {
        return IntStream.range(0, examples.size()).boxed()
                .sorted((a, b) -> Integer.compare(examples.length(b), examples.length(a)))
                .mapToInt(Integer::intValue).toArray();
    }

    private static void checkRightPadded(Batch batch, int row, int tokens) {
        for (int t = 0; t < batch.length(); t++) {
            if ((batch.attentionMask()[row * batch.length() + t] != 0) != (t < tokens)) {
                throw new IllegalArgumentException("batch row " + row + " is not " + tokens + " tokens followed by padding");
            }
        }
    }

    /** The encoder layer the cached states enter (the number of frozen layers computed). */
    public int layer() {
        return layer;
    }

    public int size() {
        return states.length;
    }

    /** The examples at indices as one batch of states padded with zeros to their longest. */
    public HiddenBatch batch(int[] indices) {
        int length = 1;
        for (int i : indices) length = Math.max(length, states[i].length / width);
        int b = indices.length;
        float[] padded = new float[Math.multiplyExact(Math.multiplyExact(b, length), width)];   // (B, T, C)
        int[] mask = new int[b * length];                                                        // (B, T)
        for (int k = 0; k < b; k++) {
            float[] s = states[indices[k]];
            System.arraycopy(s, 0, padded, k * length * width, s.length);
            Arrays.fill(mask, k * length, k * length + s.length / width, 1);
        }
        return new HiddenBatch(layer, b, length, width, padded, mask);
    }

    /** The cached examples at indices with their targets, for FineTuner.step. */
    public FineTuner.CachedBatch labelledBatch(int[] indices, Targets targets) {
        return new FineTuner.CachedBatch(batch(indices), targets);
    }
}
