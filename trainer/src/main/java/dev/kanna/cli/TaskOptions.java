/*
 * How train and evaluate read a token-classification dataset (a picocli mixin): the tag column of
 * CoNLL files, the JSONL fields of words and tags, and how long sentences are windowed.
 */
package dev.kanna.cli;

import dev.kanna.data.TagFields;
import dev.kanna.metrics.TagScheme;
import picocli.CommandLine.Option;

final class TaskOptions {
    @Option(names = "--tag-column", defaultValue = "-1", paramLabel = "N",
            description = "Token classification, CoNLL files: the 0-based column with the tag (default: the last).")
    int tagColumn;

    @Option(names = "--tokens-field", defaultValue = "tokens", paramLabel = "NAME",
            description = "Token classification, JSONL: the field with the words (default: ${DEFAULT-VALUE}).")
    String tokensField;

    @Option(names = "--tags-field", defaultValue = "tags", paramLabel = "NAME",
            description = "Token classification, JSONL: the field with the tags (default: ${DEFAULT-VALUE}).")
    String tagsField;

    @Option(names = "--stride", defaultValue = "-1", paramLabel = "N",
            description = "Token classification: a sentence longer than --max-length is split into windows sharing N "
                    + "tokens; each word is scored where it has the most context (default: a quarter of --max-length).")
    int stride;

    @Option(names = "--scheme", paramLabel = "SCHEME",
            description = "Token classification: iob1, iob2, iobes or bilou; every tag must follow it (default: any; "
                    + "entities are scored as seqeval's default mode does in each).")
    String scheme;

    TagScheme scheme() {
        return scheme == null ? null : TagScheme.parse(scheme);
    }

    TagFields tagFields() {
        return new TagFields(tagColumn, tokensField, tagsField);
    }

    /** The stride for a maximum length: as given, else a quarter of it. */
    int stride(int maxLength) {
        return stride >= 0 ? stride : maxLength / 4;
    }
}
