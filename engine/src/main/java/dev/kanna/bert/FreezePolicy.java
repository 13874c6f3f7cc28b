/*
 * Which parameters train, decided over HF parameter names:
 *   unfreezeTop(n)  the top n encoder layers plus everything above the encoder (pooler, head);
 *                   embeddings stay frozen (n ≥ the layer count unfreezes every layer)
 *   all()           every parameter
 *   pattern(regex)  parameters with an HF name in which regex is found (a fused query/key/value
 *                   projection trains when any of its three names matches)
 * withFrozenEmbeddings() additionally freezes the embeddings under any policy.
 */
package dev.kanna.bert;

import dev.kanna.autograd.Parameter;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

public record FreezePolicy(Kind kind, int top, Pattern pattern, boolean freezeEmbeddings) {

    public enum Kind { TOP, ALL, PATTERN }

    private static final Pattern LAYER = Pattern.compile("(?:^|\\.)encoder\\.layer\\.(\\d+)\\.");

    public static FreezePolicy unfreezeTop(int n) {
        if (n < 0) throw new IllegalArgumentException("--unfreeze-top must be ≥ 0, got " + n);
        return new FreezePolicy(Kind.TOP, n, null, false);
    }

    public static FreezePolicy all() {
        return new FreezePolicy(Kind.ALL, 0, null, false);
    }

    public static FreezePolicy pattern(String regex) {
        return new FreezePolicy(Kind.PATTERN, 0, Pattern.compile(regex), false);
    }

    public FreezePolicy withFrozenEmbeddings() {
        return new FreezePolicy(kind, top, pattern, true);
    }

    /** Sets every parameter's trainable flag (allocating or releasing gradients); call outside any scope. */
    public TrainableParameters apply(PretrainedBert model) {
        int layers = model.config().numHiddenLayers();
        for (Parameter p : model.parameters()) p.setTrainable(trains(p, layers));
        return new TrainableParameters(model);
    }

    private boolean trains(Parameter p, int layers) {
        String name = p.names().getFirst();
        boolean embedding = name.startsWith("bert.embeddings.");
        if (embedding && freezeEmbeddings) return false;
        return switch (kind) {
            case ALL -> true;
            case PATTERN -> p.names().stream().anyMatch(n -> pattern.matcher(n).find());
            case TOP -> {
                if (embedding) yield false;
                Matcher m = LAYER.matcher(name);
                yield !m.find() || Integer.parseInt(m.group(1)) >= layers - top;
            }
        };
    }
}
