/*
 * Turns one input line into a model input (token ids and token type ids): plain text through the
 * model directory's tokenizer (the default), or space-separated token ids (--ids).
 */
package dev.kanna.cli;

import dev.kanna.bert.BertConfig;
import dev.kanna.tokenizer.BertTokenizer;
import dev.kanna.tokenizer.Encoding;
import dev.kanna.tokenizer.Truncation;

interface LineEncoder {

    /** One encoded input: token ids and their type ids, same length, at least one token. */
    record Encoded(int[] ids, int[] typeIds) {
    }

    /** Encodes line (numbered from 1 for messages). */
    Encoded encode(String line, long lineNumber);

    /** UTF-8 text through the tokenizer, with its special tokens, truncated to maxLength tokens. */
    static LineEncoder text(BertTokenizer tokenizer, BertConfig config, int maxLength) {
        BertTokenizer t = tokenizer.withTruncation(Truncation.of(maxLength)).withoutPadding();
        return (line, lineNumber) -> {
            Encoding e = t.encode(line);
            if (e.size() == 0) throw new IllegalArgumentException("stdin:" + lineNumber + ": encodes to no tokens");
            for (int id : e.ids()) {
                if (id >= config.vocabSize()) {
                    throw new IllegalArgumentException("stdin:" + lineNumber + ": the tokenizer gave id " + id
                            + ", outside the model's vocabulary of " + config.vocabSize());
                }
            }
            return new Encoded(e.ids(), e.typeIds());
        };
    }

    /** Space-separated token ids, each within the vocabulary; type ids 0; at most maxLength of them. */
    static LineEncoder tokenIds(BertConfig config, int maxLength) {
        return (line, lineNumber) -> {
            String trimmed = line.strip();
            if (trimmed.isEmpty()) throw new IllegalArgumentException("stdin:" + lineNumber + ": no token ids");
            String[] parts = trimmed.split("\\s+");
            if (parts.length > maxLength) {
                throw new IllegalArgumentException("stdin:" + lineNumber + ": " + parts.length
                        + " token ids exceed the max length " + maxLength);
            }
            int[] ids = new int[parts.length];
            for (int k = 0; k < parts.length; k++) {
                try {
                    ids[k] = Integer.parseInt(parts[k]);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("stdin:" + lineNumber + ": '" + parts[k] + "' is not a token id");
                }
                if (ids[k] < 0 || ids[k] >= config.vocabSize()) {
                    throw new IllegalArgumentException("stdin:" + lineNumber + ": token id " + ids[k]
                            + " is outside the vocabulary of " + config.vocabSize());
                }
            }
            return new Encoded(ids, new int[ids.length]);
        };
    }
}
