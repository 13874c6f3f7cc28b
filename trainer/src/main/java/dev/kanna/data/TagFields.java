/*
 * Where a token-classification file keeps its tags: the CoNLL column (the word is always the
 * first), or the JSONL fields holding the token and tag arrays.
 *
 * @param tagColumn   0-based CoNLL column of the tag; -1 for each line's last column
 * @param tokensField JSONL field with the array of tokens
 * @param tagsField   JSONL field with the array of tags
 */
package dev.kanna.data;

public record TagFields(int tagColumn, String tokensField, String tagsField) {

    public TagFields {
        if (tagColumn == 0 || tagColumn < -1) {
            throw new IllegalArgumentException("the tag column must be -1 (the last) or from 1 on (column 0 is"
                    + " the word), got " + tagColumn);
        }
        if (tokensField == null || tagsField == null) throw new IllegalArgumentException("field names must be given");
    }

    public static TagFields defaults() {
        return new TagFields(-1, "tokens", "tags");
    }
}
