/*
 * A word list a domain expert wrote (--words): one word per line, UTF-8. Each line must be one word
 * exactly as WordPiece receives it, new to the vocabulary and listed once; anything else is refused
 * naming the file and line, since a word the normalizer or the pre-tokenizer would change could
 * never be matched whole and its embedding row would be dead weight.
 */
package dev.kanna.vocab;

import dev.kanna.data.DatasetException;
import dev.kanna.data.Utf8Lines;
import dev.kanna.tokenizer.BertTokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

public final class WordList {

    private WordList() {
    }

    /**
     * Reads and checks the list against the tokenizer's vocabulary.
     *
     * @param counts occurrences of each word in domain text, or null when none was given
     */
    public static List<DomainWord> read(Path file, BertTokenizer tokenizer, WordCounts counts) {
        List<DomainWord> words = new ArrayList<>();
        Map<String, Long> seen = new HashMap<>();
        try (Utf8Lines in = new Utf8Lines(Files.newInputStream(file), file.toString(), true)) {
            for (String line; (line = in.readLine()) != null; ) {
                String where = file + ":" + in.lineNumber() + ": ";
                check(where, line, tokenizer);
                Long earlier = seen.putIfAbsent(line, in.lineNumber());
                if (earlier != null) throw new DatasetException(where + "\"" + line + "\" repeats line " + earlier);
                words.add(new DomainWord(line, counts == null ? 0 : counts.count(line), tokenizer.wordPieces(line)));
            }
        } catch (NoSuchFileException e) {
            throw new DatasetException(file + ": no such file");
        } catch (IOException e) {
            throw new DatasetException(file + ": cannot read: " + e.getMessage(), e);
        }
        if (words.isEmpty()) throw new DatasetException(file + ": no words (the file is empty)");
        return words;
    }

    private static void check(String where, String line, BertTokenizer tokenizer) {
        if (line.isEmpty()) throw new DatasetException(where + "empty line (one word per line)");
        String quoted = "\"" + line + "\"";
        OptionalInt id = tokenizer.tokenToId(line);
        if (id.isPresent()) throw new DatasetException(where + quoted + " is already in the vocabulary (id " + id.getAsInt() + ")");
        List<String> words = tokenizer.words(line);
        if (words.size() > 1) {
            throw new DatasetException(where + quoted + " is split by the pre-tokenizer into " + String.join(" ", words)
                    + " (whitespace and punctuation end a word): list one word per line");
        }
        if (words.isEmpty()) throw new DatasetException(where + quoted + " is nothing but whitespace or characters the normalizer drops");
        String normalized = tokenizer.normalize(line);
        if (!normalized.equals(line)) {
            throw new DatasetException(where + "the model's normalizer turns " + quoted + " into \"" + normalized
                    + "\" (write the word as the model sees it)");
        }
        if (!words.getFirst().equals(line)) {
            throw new DatasetException(where + quoted + " has whitespace around it (write the word alone)");
        }
        int length = line.codePointCount(0, line.length());
        if (length > tokenizer.maxInputCharsPerWord()) {
            throw new DatasetException(where + quoted + " has " + length + " characters; WordPiece reads a word longer than "
                    + tokenizer.maxInputCharsPerWord() + " as " + tokenizer.unkToken() + " whatever the vocabulary");
        }
    }
}
