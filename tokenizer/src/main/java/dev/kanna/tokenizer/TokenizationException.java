/*
 * An input that cannot be encoded as asked: truncation that cannot fit, a missing unknown token.
 */
package dev.kanna.tokenizer;

/** An input cannot be encoded with the requested options (e.g. a truncation that cannot fit). */
public class TokenizationException extends TokenizerException {

    public TokenizationException(String message) {
        super(message);
    }
}
