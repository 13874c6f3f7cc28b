/*
 * Re-initialises the top n encoder layers, and the pooler, before fine-tuning ("Revisiting
 * Few-sample BERT Fine-tuning", Zhang et al. 2021): their pretrained values specialise in the
 * pretraining objective and transfer worse than a fresh start. Values as transformers'
 * BertPreTrainedModel._init_weights gives a new layer: Linear weights normal(0, initializer_range),
 * biases 0, LayerNorm weight 1 and bias 0. The pooler is re-initialised with the layers whenever
 * n ≥ 1, as the paper does (its code's --reinit_pooler, set in every Re-init experiment): it reads
 * the top layer's [CLS] state, which no longer means what the pretrained pooler learnt.
 *
 * Each tensor's normal draws come from the stream of (seed, HF name) that fresh heads use
 * (Weights.normal), so the same seed gives the same weights and a re-initialised pooler equals the
 * one a checkpoint without a pooler would start with.
 */
package dev.kanna.bert;

import dev.kanna.autograd.Parameter;
import dev.kanna.backend.Backend;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

public final class ReinitTop {
    private ReinitTop() {
    }

    /** Re-initialises the top n layers and the pooler (n ≥ 1); returns the HF names written. Call outside any scope. */
    public static List<String> apply(PretrainedBert model, int n, long seed) {
        int layers = model.config().numHiddenLayers();
        if (n < 0 || n > layers) {
            throw new IllegalArgumentException("cannot re-initialise the top " + n + " layers of a model with " + layers);
        }
        List<String> written = new ArrayList<>();
        if (n == 0) return written;
        double std = model.config().initializerRange();
        Backend backend = model.bert().backend();
        for (Parameter p : model.parameters()) {
            if (!selected(p, n, layers)) continue;
            int part = Math.toIntExact(p.size() / p.names().size());    // a fused projection: each name in turn
            float[] values = new float[Math.toIntExact(p.size())];
            for (int k = 0; k < p.names().size(); k++) {
                System.arraycopy(initial(p.names().get(k), part, seed, std), 0, values, k * part, part);
            }
            try (var scope = backend.scope()) {
                p.assign(backend.upload(values, p.value().shape()));
            }
            written.addAll(p.names());
        }
        return written;
    }

    /** Whether apply(model, n, ·) re-initialises p: a parameter of the top n layers, or the pooler (n ≥ 1). */
    public static boolean selected(Parameter p, int n, int layers) {
        String name = p.names().getFirst();
        int depth = LayerDepth.of(name, layers);
        return n >= 1 && ((depth >= 1 && depth <= n) || name.startsWith("bert.pooler."));
    }

    private static float[] initial(String name, int n, long seed, double std) {
        float[] data = new float[n];
        if (name.endsWith("LayerNorm.weight")) Arrays.fill(data, 1f);
        else if (!name.endsWith(".bias")) data = Weights.normal(seed, name, n, std);
        return data;
    }
}
