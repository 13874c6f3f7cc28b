/*
 * Elementwise activations BERT uses: the feed-forward's hidden_act and the pooler's tanh.
 * The names follow transformers' ACT2FN keys (see fromHfName).
 */
package dev.kanna.backend;

public enum Activation {
    /** x·Φ(x) with the exact normal CDF: transformers' "gelu" and "gelu_python". */
    GELU_ERF,
    /** 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))): "gelu_new" and "gelu_pytorch_tanh". */
    GELU_TANH,
    RELU,
    TANH;

    /** Maps a config.json hidden_act to an activation, or null when unsupported. */
    public static Activation fromHfName(String name) {
        return switch (name) {
            case "gelu", "gelu_python" -> GELU_ERF;
            case "gelu_new", "gelu_pytorch_tanh", "gelu_fast" -> GELU_TANH;
            case "relu" -> RELU;
            case "tanh" -> TANH;
            default -> null;
        };
    }
}
