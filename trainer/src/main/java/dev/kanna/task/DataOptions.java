/*
 * How a task reads and tokenizes data: which fields or columns hold what, the sequence length,
 * and, for token classification, the window stride and whether later word pieces are labelled.
 *
 * @param maxLength      tokens per sequence, [CLS] and [SEP] included
 * @param stride         token classification: tokens shared by consecutive windows of a long sentence
 * @param labelAllTokens token classification: a word's later pieces get its tag (B- becomes I-)
 *                       instead of being ignored by the loss
 * @param scheme         token classification: the tagging scheme every tag must follow; null: any
 *                       of IOB1, IOB2, IOBES, BILOU (entities are scored the same way in all of them)
 */
package dev.kanna.task;

import dev.kanna.data.DatasetReader;
import dev.kanna.data.TagFields;
import dev.kanna.metrics.TagScheme;

public record DataOptions(DatasetReader.Fields fields, TagFields tagFields, int maxLength, int stride,
                          boolean labelAllTokens, TagScheme scheme) {

    public static DataOptions defaults(int maxLength) {
        return new DataOptions(DatasetReader.Fields.defaults(), TagFields.defaults(), maxLength, maxLength / 4, false, null);
    }

    /** The same options for another length; a stride too large for it shrinks to half of it (same length: unchanged). */
    public DataOptions withMaxLength(int length) {
        if (length == maxLength) return this;   // a given --stride stays, and is checked against its --max-length
        return new DataOptions(fields, tagFields, length, Math.min(stride, length / 2), labelAllTokens, scheme);
    }
}
