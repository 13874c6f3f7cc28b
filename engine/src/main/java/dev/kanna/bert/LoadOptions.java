/*
 * How a model is loaded: the seed of fresh head initialisation and where the one-line warnings go
 * (a head that started fresh).
 */
package dev.kanna.bert;

import java.util.function.Consumer;

public record LoadOptions(long seed, Consumer<String> warnings) {

    /** Seed 42 (transformers' default), warnings to stderr. */
    public static LoadOptions defaults() {
        return new LoadOptions(42, System.err::println);
    }

    public LoadOptions withSeed(long newSeed) {
        return new LoadOptions(newSeed, warnings);
    }

    public LoadOptions withWarnings(Consumer<String> newWarnings) {
        return new LoadOptions(seed, newWarnings);
    }
}
