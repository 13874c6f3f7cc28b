/*
 * A model directory whose vocabulary cannot be extended as it stands: the message is one line
 * naming the file and what was expected.
 */
package dev.kanna.vocab;

public final class VocabularyException extends RuntimeException {
    public VocabularyException(String message) {
        super(message);
    }
}
