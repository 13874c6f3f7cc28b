/*
 * Padding settings: to the longest sequence of a batch or to a fixed length, optionally rounded up
 * to a multiple, with the pad token's id and type id.
 */
package dev.kanna.tokenizer;

import java.util.Objects;

/**
 * Padding of encodings with the pad token (attention mask 0, offsets (0, 0)).
 *
 * @param fixedLength pad every encoding to this length; 0 pads to the longest of the batch
 * @param multipleOf  round the padded length up to a multiple of this (0 or 1: no rounding)
 * @param side        where pad tokens go
 * @param padToken    the pad token's string
 * @param padId       the pad token's id; -1 takes the id of padToken from the tokenizer's vocabulary
 * @param padTypeId   the type id of pad tokens
 */
public record Padding(int fixedLength, int multipleOf, Side side, String padToken, int padId, int padTypeId) {

    public Padding {
        if (fixedLength < 0) throw new IllegalArgumentException("padding length must be >= 0, got " + fixedLength);
        if (multipleOf < 0) throw new IllegalArgumentException("pad_to_multiple_of must be >= 0, got " + multipleOf);
        Objects.requireNonNull(side, "side");
        Objects.requireNonNull(padToken, "padToken");
        if (padId < -1) throw new IllegalArgumentException("pad id must be >= 0 (or -1 to look it up), got " + padId);
    }

    /** Pad to the longest encoding of each batch, with [PAD]. */
    public static Padding longest() {
        return new Padding(0, 0, Side.RIGHT, "[PAD]", -1, 0);
    }

    /** Pad every encoding to length tokens, with [PAD]. */
    public static Padding fixed(int length) {
        if (length <= 0) throw new IllegalArgumentException("fixed padding length must be > 0, got " + length);
        return new Padding(length, 0, Side.RIGHT, "[PAD]", -1, 0);
    }

    /** True when padding to the longest of the batch rather than a fixed length. */
    public boolean isLongest() {
        return fixedLength == 0;
    }

    public Padding withMultipleOf(int multiple) {
        return new Padding(fixedLength, multiple, side, padToken, padId, padTypeId);
    }

    public Padding withSide(Side newSide) {
        return new Padding(fixedLength, multipleOf, newSide, padToken, padId, padTypeId);
    }

    public Padding withPadToken(String token, int id) {
        return new Padding(fixedLength, multipleOf, side, token, id, padTypeId);
    }

    /** The length to pad a batch whose longest encoding has longest tokens to. */
    int targetLength(int longest) {
        int length = isLongest() ? longest : fixedLength;
        if (multipleOf > 1 && length % multipleOf != 0) length = Math.addExact(length, multipleOf - length % multipleOf);
        return length;
    }
}
