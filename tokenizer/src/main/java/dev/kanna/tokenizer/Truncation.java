/*
 * Truncation settings: the total length budget (special tokens included) and how to share it.
 */
package dev.kanna.tokenizer;

import java.util.Objects;

/**
 * Truncation of the encoded sequences to a total of {@code maxLength} tokens, the special tokens the
 * template adds included (HF reduces the budget by them before cutting the sequences).
 *
 * @param maxLength total length after adding special tokens, at least the number of special tokens
 * @param strategy  how a pair shares the budget
 * @param side      the end tokens are removed from
 */
public record Truncation(int maxLength, TruncationStrategy strategy, Side side) {

    public Truncation {
        if (maxLength < 0) throw new IllegalArgumentException("truncation max length must be >= 0, got " + maxLength);
        Objects.requireNonNull(strategy, "strategy");
        Objects.requireNonNull(side, "side");
    }

    /** HF's default: longest_first, cutting on the right. */
    public static Truncation of(int maxLength) {
        return new Truncation(maxLength, TruncationStrategy.LONGEST_FIRST, Side.RIGHT);
    }

    public static Truncation of(int maxLength, TruncationStrategy strategy) {
        return new Truncation(maxLength, strategy, Side.RIGHT);
    }
}
