/*
 * A tokenizer file (tokenizer.json, vocab.txt, tokenizer_config.json) that cannot be used.
 */
package dev.kanna.tokenizer;

/** A tokenizer file is unreadable, malformed or uses an unsupported component; names the file and field. */
public class TokenizerConfigException extends TokenizerException {

    public TokenizerConfigException(String message) {
        super(message);
    }

    public TokenizerConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
