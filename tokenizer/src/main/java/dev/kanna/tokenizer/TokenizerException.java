/*
 * Base of the tokenizer's exceptions: unchecked, with a one-line message.
 */
package dev.kanna.tokenizer;

/** A tokenizer failure; the message is one line that says what was expected. */
public class TokenizerException extends RuntimeException {

    public TokenizerException(String message) {
        super(message);
    }

    public TokenizerException(String message, Throwable cause) {
        super(message, cause);
    }
}
