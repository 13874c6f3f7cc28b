/*
 * The intermediate (feed-forward) activation of a BERT layer, named by config.json's hidden_act.
 * Several transformers names share one function: "gelu" and "gelu_python" are the exact erf form;
 * "gelu_new", "gelu_fast" and "gelu_pytorch_tanh" are the tanh approximation (same formula).
 */
package dev.kanna.bert;

import java.util.List;

public enum Activation {
    /** x * 0.5 * (1 + erf(x / sqrt(2))). */
    GELU_ERF("gelu", "gelu_python"),
    /** 0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3))). */
    GELU_TANH("gelu_new", "gelu_fast", "gelu_pytorch_tanh"),
    /** x * sigmoid(1.702 * x). */
    QUICK_GELU("quick_gelu"),
    /** max(0, x). */
    RELU("relu"),
    /** x * sigmoid(x). */
    SILU("silu", "swish");

    private final List<String> hfNames;

    Activation(String... hfNames) {
        this.hfNames = List.of(hfNames);
    }

    /** The transformers names (ACT2FN keys) that mean this function; the first is the canonical one. */
    public List<String> hfNames() {
        return hfNames;
    }

    /** The name to write into a new config.json. */
    public String hfName() {
        return hfNames.getFirst();
    }

    /** The activation a transformers hidden_act name denotes, or null for a name we do not support. */
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
