/*
 * Two texts encoded together (e.g. question and passage): [CLS] first [SEP] second [SEP].
 */
package dev.kanna.tokenizer;

import java.util.Objects;

/** A pair of texts for {@link BertTokenizer#encodePairBatch}. */
public record TextPair(String first, String second) {

    public TextPair {
        Objects.requireNonNull(first, "first");
        Objects.requireNonNull(second, "second");
    }
}
