/*
 * How fine-tuning treats the layers differently, the few-sample techniques, all counted by
 * LayerDepth (0: head and pooler, l: the l-th encoder layer from the top, L+1: embeddings):
 *
 *   layerLrDecay D   layer-wise learning-rate decay: a parameter at depth d trains at lr · D^d, so the
 *                    head and pooler at lr, the top layer at lr·D, the next at lr·D², ..., layer 0 at
 *                    lr·D^L and the embeddings at lr·D^(L+1). This is MAE's and BEiT's param_groups_lrd
 *                    (util/lr_decay.py: layer_scales[i] = D^(L+1−i), embeddings i = 0, block j → j+1,
 *                    head L+1). D = 1: one rate for all.
 *   headLr R         the head and pooler train at R instead of lr (multiplier R/lr, so they follow the
 *                    schedule at R); the layers' rates still derive from lr. 0: at lr.
 *   gradualUnfreeze  ULMFiT (Howard & Ruder 2018, "gradual unfreezing"): epoch 0 trains only the top
 *                    group among those the freezing policy trains (the head and pooler), each later
 *                    epoch one more group below (the next encoder layer the policy trains, then the
 *                    embeddings), until the policy's whole set trains.
 */
package dev.kanna.train;

import dev.kanna.autograd.Parameter;
import dev.kanna.bert.LayerDepth;

import java.util.List;

public record LayerwiseTraining(double layerLrDecay, double headLr, boolean gradualUnfreeze) {

    public LayerwiseTraining {
        if (!(layerLrDecay > 0 && layerLrDecay <= 1)) {
            throw new IllegalArgumentException("layer-wise learning-rate decay must be in (0, 1], got " + layerLrDecay);
        }
        if (!(headLr >= 0) || Double.isInfinite(headLr)) throw new IllegalArgumentException("head learning rate must be ≥ 0, got " + headLr);
    }

    /** Every parameter at the base rate, the policy's whole set from the first step. */
    public static LayerwiseTraining none() {
        return new LayerwiseTraining(1.0, 0, false);
    }

    /** The multiplier of the base rate lr for a parameter at depth d. */
    public double lrScale(int depth, double lr) {
        if (depth == 0) return headLr > 0 ? headLr / lr : 1.0;
        return Math.pow(layerLrDecay, depth);
    }

    /** Each parameter's multiplier of lr, in order, for a model of `layers` encoder layers. */
    public double[] lrScales(List<Parameter> parameters, int layers, double lr) {
        double[] scales = new double[parameters.size()];
        for (int k = 0; k < scales.length; k++) scales[k] = lrScale(LayerDepth.of(parameters.get(k), layers), lr);
        return scales;
    }

    /** Whether any rate differs from lr. */
    public boolean scalesRates() {
        return layerLrDecay != 1.0 || headLr > 0;
    }
}
