/*
 * A token added on top of the model vocabulary (HF's AddedToken), e.g. the special tokens [CLS],
 * [SEP], [PAD], [UNK], [MASK]: matched whole in the text before the model sees it.
 */
package dev.kanna.tokenizer;

import java.util.Objects;

/**
 * A token matched whole in the input before normalization and WordPiece.
 *
 * @param id         its id
 * @param content    the text it matches
 * @param singleWord match only when not inside a word (no word character right before or after)
 * @param lstrip     the match swallows the whitespace on its left
 * @param rstrip     the match swallows the whitespace on its right
 * @param normalized match against the normalized text (and the normalized content) instead of the raw text
 * @param special    a special token: skipped by {@code decode(ids, true)}
 */
public record AddedToken(int id, String content, boolean singleWord, boolean lstrip, boolean rstrip,
                         boolean normalized, boolean special) {

    public AddedToken {
        Objects.requireNonNull(content, "content");
        if (id < 0) throw new IllegalArgumentException("added token id must be >= 0, got " + id);
    }

    /** A special token as BERT's files declare them: matched in the raw text, not normalized. */
    public static AddedToken special(int id, String content) {
        return new AddedToken(id, content, false, false, false, false, true);
    }
}
