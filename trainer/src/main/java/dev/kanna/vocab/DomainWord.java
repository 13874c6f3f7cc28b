/*
 * A word chosen for the vocabulary: how often the domain text uses it and the WordPiece pieces the
 * model's vocabulary split it into before (their embeddings seed the new row).
 */
package dev.kanna.vocab;

import java.util.List;

/**
 * @param word   the word as WordPiece sees it (normalized, one pre-tokenizer word)
 * @param count  occurrences in the text; 0 for a listed word when no text was given
 * @param pieces the word's tokens under the old vocabulary
 */
public record DomainWord(String word, long count, List<String> pieces) {
    public DomainWord {
        pieces = List.copyOf(pieces);
    }
}
