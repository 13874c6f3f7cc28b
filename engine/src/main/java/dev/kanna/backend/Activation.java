/*
 * Elementwise activations BERT uses: the feed-forward's hidden_act and the pooler's tanh, each with
 * the transformers names (ACT2FN keys) that denote it. config.json's hidden_act is checked against
 * these names, so a model that loads always has a kernel for its activation.
 */
package dev.kanna.backend;

import java.util.List;

public enum Activation {
    /** x·Φ(x) with the exact normal CDF. */
    GELU_ERF("gelu", "gelu_python"),
    /** 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
    GELU_TANH("gelu_new", "gelu_fast", "gelu_pytorch_tanh"),
    RELU("relu"),
    TANH("tanh");

    private final List<String> hfNames;

    Activation(String... hfNames) {
        this.hfNames = List.of(hfNames);
    }

    /** The transformers names that mean this function; the first is the canonical one. */
    public List<String> hfNames() {
        return hfNames;
    }

    /** The name to write into a new config.json. */
    public String hfName() {
        return hfNames.getFirst();
    }

    /** Maps a config.json hidden_act to an activation, or null when unsupported. */
    public static Activation fromHfName(String name) {
        for (Activation a : values()) {
            if (a.hfNames.contains(name)) return a;
        }
        return null;
    }

    /** Every supported name, for error messages. */
    public static String supportedNames() {
        StringBuilder sb = new StringBuilder();
        for (Activation a : values()) {
            for (String n : a.hfNames) sb.append(sb.isEmpty() ? "" : ", ").append(n);
        }
        return sb.toString();
    }
}
