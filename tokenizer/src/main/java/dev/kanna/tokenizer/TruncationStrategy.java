/*
 * HF's truncation strategies for one or two sequences.
 */
package dev.kanna.tokenizer;

import java.util.Locale;

/** How truncation shares the length budget between the two sequences of a pair. */
public enum TruncationStrategy {
    /** Take tokens from the longer sequence first (HF's default); splits the budget when both are long. */
    LONGEST_FIRST,
    /** Only cut the first sequence; an error when that is not enough. */
    ONLY_FIRST,
    /** Only cut the second sequence; an error when that is not enough or there is no second sequence. */
    ONLY_SECOND;

    /** Parses "longest_first" / "LongestFirst" style names. */
    public static TruncationStrategy parse(String name) {
        String key = name.replace("_", "").toLowerCase(Locale.ROOT);
        for (TruncationStrategy s : values()) {
            if (s.name().replace("_", "").toLowerCase(Locale.ROOT).equals(key)) return s;
        }
        throw new IllegalArgumentException("unknown truncation strategy \"" + name
                + "\" (expected longest_first, only_first or only_second)");
    }

    /** The snake_case name HF uses: longest_first, only_first, only_second. */
    public String hfName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
