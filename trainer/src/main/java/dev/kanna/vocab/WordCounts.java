/*
 * How often each word occurs in domain text, counted as the model sees words (its own added tokens,
 * normalizer and pre-tokenizer), and the words worth adding: the ones its vocabulary shreds into many
 * pieces, most frequent first. Ties go by word, so the choice never depends on hash order.
 */
package dev.kanna.vocab;

import dev.kanna.data.TextCorpus;
import dev.kanna.tokenizer.BertTokenizer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

public final class WordCounts {

    /** What qualifies a word, and how many to take. */
    public record Selection(int limit, int minPieces, long minCount) {
        public Selection {
            if (limit < 1) throw new IllegalArgumentException("the number of words to add must be ≥ 1, got " + limit);
            if (minPieces < 2) {
                throw new IllegalArgumentException("--min-pieces must be ≥ 2 (a word of one piece is already in the vocabulary), got " + minPieces);
            }
            if (minCount < 1) throw new IllegalArgumentException("--min-count must be ≥ 1, got " + minCount);
        }
    }

    /** The chosen words, and how many qualified in all (more than chosen when the limit cut). */
    public record Chosen(List<DomainWord> words, int qualifying) {
    }

    private final BertTokenizer tokenizer;
    private final Map<String, long[]> counts = new HashMap<>();
    private long documents;
    private long occurrences;

    private WordCounts(BertTokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** Counts the words of every document of the files (see TextCorpus for their formats). */
    public static WordCounts of(BertTokenizer tokenizer, List<Path> texts, String textField) {
        WordCounts c = new WordCounts(tokenizer);
        for (Path file : texts) c.documents += TextCorpus.forEach(file, textField, c::add);
        return c;
    }

    private void add(String document) {
        for (String word : tokenizer.words(document)) {
            counts.computeIfAbsent(word, w -> new long[1])[0]++;
            occurrences++;
        }
    }

    public long count(String word) {
        long[] c = counts.get(word);
        return c == null ? 0 : c[0];
    }

    public long documents() {
        return documents;
    }

    /** Word occurrences in all documents. */
    public long occurrences() {
        return occurrences;
    }

    public int distinctWords() {
        return counts.size();
    }

    /** The most frequent words the vocabulary splits into at least minPieces pieces. */
    public Chosen choose(Selection s) {
        List<DomainWord> qualifying = new ArrayList<>();
        counts.forEach((word, count) -> {
            if (count[0] < s.minCount()) return;
            List<String> pieces = tokenizer.wordPieces(word);
            // One piece: a vocabulary word, or [UNK] (a word too long or with an unknown character).
            if (pieces.size() >= s.minPieces()) qualifying.add(new DomainWord(word, count[0], pieces));
        });
        qualifying.sort(Comparator.comparingLong(DomainWord::count).reversed().thenComparing(DomainWord::word));
        return new Chosen(List.copyOf(qualifying.subList(0, Math.min(s.limit(), qualifying.size()))), qualifying.size());
    }
}
