/*
 * Masked-LM figures over the masked positions of a dataset: the mean cross-entropy (loss),
 * perplexity = e^loss, and the fraction of masked tokens the model puts first (accuracy).
 */
package dev.kanna.metrics;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

public record MaskedLmMetrics(long maskedTokens, double loss, double perplexity, double accuracy) implements Metrics {

    public static final List<String> NAMES = List.of("perplexity", "accuracy");

    @Override
    public double byName(String name) {
        return switch (name) {
            case "perplexity" -> perplexity;
            case "accuracy" -> accuracy;
            default -> throw new IllegalArgumentException("unknown metric \"" + name + "\"; expected perplexity, accuracy"
                    + " or loss");
        };
    }

    @Override
    public boolean higherIsBetter(String name) {
        return name.equals("accuracy");
    }

    @Override
    public Map<String, Object> toJson() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("perplexity", perplexity);
        out.put("accuracy", accuracy);
        out.put("masked_tokens", maskedTokens);
        return out;
    }

    @Override
    public String toTable() {
        return String.format(Locale.ROOT, "masked tokens %d%nloss          %.4f%nperplexity    %.4f%naccuracy      %.4f%n",
                maskedTokens, loss, perplexity, accuracy);
    }

    @Override
    public String summary() {
        return String.format(Locale.ROOT, "perplexity %.4f accuracy %.4f", perplexity, accuracy);
    }
}
