/*
 * How many layers a parameter lies below the head, counted over HF names for a model of L encoder
 * layers: 0 for everything above the encoder (pooler, classifier, masked-LM head), l for the l-th
 * encoder layer from the top (encoder.layer.{L−l}), L+1 for the embeddings. This is the layer id of
 * BEiT's and MAE's layer-wise decay (util/lr_decay.py: embeddings 0, block i → i+1, the rest L+1)
 * read from the top, so layer-wise learning rates, gradual unfreezing and re-initialisation all count
 * the same way. The masked-LM decoder is the word-embedding table (tied), so it counts as embeddings.
 */
package dev.kanna.bert;

import dev.kanna.autograd.Parameter;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

public final class LayerDepth {
    private static final Pattern LAYER = Pattern.compile("(?:^|\\.)encoder\\.layer\\.(\\d+)\\.");

    private LayerDepth() {
    }

    /** The depth of the HF tensor name in a model of `layers` encoder layers. */
    public static int of(String name, int layers) {
        if (name.startsWith("bert.embeddings.")) return layers + 1;
        Matcher m = LAYER.matcher(name);
        return m.find() ? layers - Integer.parseInt(m.group(1)) : 0;
    }

    /** The depth of a parameter (a fused projection's names all lie in one layer). */
    public static int of(Parameter p, int layers) {
        return of(p.names().getFirst(), layers);
    }

    /** What a depth is called in log lines: "head", "layer 3" (its HF index), "embeddings". */
    public static String describe(int depth, int layers) {
        return depth == 0 ? "head" : depth > layers ? "embeddings" : "layer " + (layers - depth);
    }
}
