/*
 * One sentence of a token-classification dataset (NER): its words and their tags.
 *
 * @param words the words, as split in the data (each non-empty, without whitespace)
 * @param tags  one tag per word as written in the data (B-Disease, O...), or null when unlabelled
 * @param line  1-based line where the sentence starts, for messages
 */
package dev.kanna.data;

import java.util.List;

public record TaggedSentence(List<String> words, List<String> tags, long line) {

    public TaggedSentence {
        words = List.copyOf(words);
        if (tags != null) {
            tags = List.copyOf(tags);
            if (tags.size() != words.size()) {
                throw new IllegalArgumentException("line " + line + ": " + words.size() + " words but "
                        + tags.size() + " tags");
            }
        }
    }
}
