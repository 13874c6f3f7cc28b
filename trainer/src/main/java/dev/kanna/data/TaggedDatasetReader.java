/*
 * Reads a token-classification dataset (optionally gzipped) into sentences of words and tags.
 * CoNLL form (any name but .jsonl/.json and .csv): one word per line, its tag in the last column
 * (or TagFields.tagColumn), columns split on tabs, or on spaces when the line has no tab; blank
 * lines end sentences; -DOCSTART- lines are skipped. JSONL form: {"tokens": [...], "tags": [...]}
 * per line. Every word must be non-empty and free of whitespace: the tokenizer splits pre-split
 * words again on whitespace, which would break the one-tag-per-word alignment.
 */
package dev.kanna.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

public final class TaggedDatasetReader {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DOCUMENT_START = "-DOCSTART-";

    private TaggedDatasetReader() {
    }

    /** Reads every sentence; each word must have its tag. */
    public static List<TaggedSentence> read(Path file, TagFields fields) {
        DataFormat format = DataFormat.of(file);
        if (format == DataFormat.CSV) {
            throw new DatasetException(file + ": tagged tokens are read from CoNLL files (.tsv, .conll, .iob, .bio,"
                    + " .txt) or JSONL, not CSV");
        }
        return DatasetReader.withLines(file, in -> {
            List<TaggedSentence> sentences = format == DataFormat.JSONL
                    ? readJsonl(file, in, fields) : readConll(file, in, fields);
            if (sentences.isEmpty()) {
                throw new DatasetException(file + ": no sentences" + (in.lineNumber() == 0 ? " (the file is empty)" : ""));
            }
            return sentences;
        });
    }

    private static List<TaggedSentence> readConll(Path file, Utf8Lines in, TagFields fields) throws IOException {
        List<TaggedSentence> sentences = new ArrayList<>();
        List<String> words = new ArrayList<>(), tags = new ArrayList<>();
        long start = 0;
        String line;
        while ((line = in.readLine()) != null) {
            long lineNo = in.lineNumber();
            if (line.isBlank() || line.startsWith(DOCUMENT_START)) {   // a document marker also ends a sentence
                if (!words.isEmpty()) {
                    sentences.add(new TaggedSentence(words, tags, start));
                    words = new ArrayList<>();
                    tags = new ArrayList<>();
                }
                continue;
            }
            String[] columns = line.indexOf('\t') >= 0 ? line.split("\t", -1) : line.strip().split("\\s+");
            if (columns.length < 2) {
                throw new DatasetException(file + ":" + lineNo + ": expected a token and its tag separated by a tab"
                        + " or spaces, found one column");
            }
            int tagColumn = fields.tagColumn() < 0 ? columns.length - 1 : fields.tagColumn();
            if (tagColumn >= columns.length) {
                throw new DatasetException(file + ":" + lineNo + ": tag column " + tagColumn + " is beyond the line's "
                        + columns.length + " columns (counted from 0)");
            }
            checkWord(file, lineNo, "token", columns[0]);
            if (columns[tagColumn].isEmpty()) throw new DatasetException(file + ":" + lineNo + ": empty tag");
            if (words.isEmpty()) start = lineNo;
            words.add(columns[0]);
            tags.add(columns[tagColumn]);
        }
        if (!words.isEmpty()) sentences.add(new TaggedSentence(words, tags, start));   // no blank line at the end
        return sentences;
    }

    private static List<TaggedSentence> readJsonl(Path file, Utf8Lines in, TagFields fields) throws IOException {
        List<TaggedSentence> sentences = new ArrayList<>();
        String line;
        while ((line = in.readLine()) != null) {
            long lineNo = in.lineNumber();
            if (line.isBlank()) continue;
            JsonNode node;
            try {
                node = JSON.readTree(line);
            } catch (JsonProcessingException e) {
                throw new DatasetException(file + ":" + lineNo + ": not valid JSON (" + e.getOriginalMessage() + ")");
            }
            if (node == null || !node.isObject()) {
                throw new DatasetException(file + ":" + lineNo + ": expected a JSON object per line");
            }
            JsonNode words = stringArray(file, lineNo, node, fields.tokensField());
            JsonNode tags = stringArray(file, lineNo, node, fields.tagsField());
            if (words.isEmpty()) throw new DatasetException(file + ":" + lineNo + ": empty sentence (no tokens)");
            if (words.size() != tags.size()) {
                throw new DatasetException(file + ":" + lineNo + ": " + words.size() + " tokens but " + tags.size()
                        + " tags");
            }
            List<String> wordList = new ArrayList<>(words.size()), tagList = new ArrayList<>(tags.size());
            for (int i = 0; i < words.size(); i++) {
                String word = words.get(i).textValue(), tag = tags.get(i).textValue();
                checkWord(file, lineNo, fields.tokensField() + "[" + i + "]", word);
                if (tag.isEmpty()) {
                    throw new DatasetException(file + ":" + lineNo + ": " + fields.tagsField() + "[" + i + "] is empty");
                }
                wordList.add(word);
                tagList.add(tag);
            }
            sentences.add(new TaggedSentence(wordList, tagList, lineNo));
        }
        return sentences;
    }

    /** The field, checked to be an array of strings. */
    private static JsonNode stringArray(Path file, long lineNo, JsonNode row, String field) {
        JsonNode value = row.get(field);
        if (value == null || value.isNull()) {
            throw new DatasetException(file + ":" + lineNo + ": missing field \"" + field + "\"");
        }
        if (!value.isArray()) {
            throw new DatasetException(file + ":" + lineNo + ": field \"" + field + "\" must be an array of strings,"
                    + " got " + LabelValues.typeName(value));
        }
        for (int i = 0; i < value.size(); i++) {
            if (!value.get(i).isTextual()) {
                throw new DatasetException(file + ":" + lineNo + ": " + field + "[" + i + "] must be a string, got "
                        + LabelValues.typeName(value.get(i)));
            }
        }
        return value;
    }

    private static void checkWord(Path file, long lineNo, String what, String word) {
        if (word.isEmpty()) throw new DatasetException(file + ":" + lineNo + ": " + what + " is empty");
        if (hasWhitespace(word)) {
            throw new DatasetException(file + ":" + lineNo + ": " + what + " \"" + word + "\" contains whitespace"
                    + " (each token must be one word)");
        }
    }

    /** Whitespace as the tokenizer splits on it: Java's, the Unicode space separators (U+00A0...) and U+0085. */
    static boolean hasWhitespace(String s) {
        return s.codePoints().anyMatch(cp -> Character.isWhitespace(cp) || Character.isSpaceChar(cp) || cp == 0x85);
    }

    /**
     * The line of a sentence's word, for messages: CoNLL sentences have one word per line with no gap
     * between them; a JSONL sentence is one line. Other names fall back to the sentence's line.
     */
    public static long lineOf(TaggedSentence sentence, int word, Path file) {
        DataFormat format;
        try {
            format = DataFormat.of(file);
        } catch (DatasetException unknownName) {
            return sentence.line();
        }
        return format == DataFormat.JSONL ? sentence.line() : sentence.line() + word;
    }
}
