/*
 * The four switches of HF's BertNormalizer, with the null strip_accents already resolved (HF strips
 * accents when strip_accents is null and lowercase is on).
 */
package dev.kanna.tokenizer;

/**
 * Options of the BERT normalizer, applied in this order: clean the text, isolate Chinese characters,
 * strip accents, lowercase.
 *
 * @param cleanText          drop control, format and private-use characters, NUL and U+FFFD; map
 *                           every Unicode whitespace character to a space
 * @param handleChineseChars put spaces around CJK ideographs so that each becomes its own word
 * @param stripAccents       decompose (NFD) and drop non-spacing marks
 * @param lowercase          lowercase each code point (full mapping, no context)
 */
public record NormalizerOptions(boolean cleanText, boolean handleChineseChars, boolean stripAccents,
                                boolean lowercase) {

    /** bert-base-uncased and MiniLM: everything on. */
    public static NormalizerOptions uncased() {
        return new NormalizerOptions(true, true, true, true);
    }

    /** bert-base-cased: clean and isolate Chinese characters, keep case and accents. */
    public static NormalizerOptions cased() {
        return new NormalizerOptions(true, true, false, false);
    }

    /** HF's rule for a missing or null strip_accents: follow lowercase. */
    public static NormalizerOptions of(boolean cleanText, boolean handleChineseChars, Boolean stripAccents,
                                       boolean lowercase) {
        return new NormalizerOptions(cleanText, handleChineseChars,
                stripAccents != null ? stripAccents : lowercase, lowercase);
    }
}
