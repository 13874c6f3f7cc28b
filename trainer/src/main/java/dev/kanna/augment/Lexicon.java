/*
 * A domain lexicon: how an expert's knowledge of the domain's vocabulary enters augmentation. A
 * UTF-8 text file (optionally .gz), one term per line followed by its synonyms, all separated by
 * tabs: "myocardial infarction<TAB>heart attack<TAB>MI". Terms and synonyms may have several words
 * (one space between them); a term matches text ignoring case and the punctuation around words,
 * synonyms are written in as the lexicon spells them. Synonyms run one way, from the term: write
 * another line for the other direction. A term on several lines gets all their synonyms. Blank
 * lines and lines starting with '#' are skipped; a line without a synonym, or with an empty term or
 * synonym, is one DatasetException naming the file and line.
 */
package dev.kanna.augment;

import dev.kanna.data.DatasetException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

public final class Lexicon implements Synonyms {
    private final Path file;
    private final Map<String, List<String>> synonyms;   // term key → synonyms as written
    private final int longestTerm;

    private Lexicon(Path file, Map<String, List<String>> synonyms) {
        this.file = file;
        this.synonyms = synonyms;
        this.longestTerm = synonyms.keySet().stream().mapToInt(t -> t.split(" ").length).max().orElse(1);
    }

    /** Reads and checks a lexicon file. */
    public static Lexicon read(Path file) {
        Map<String, Set<String>> terms = new LinkedHashMap<>();
        TextFiles.forEachLine(file, (line, lineNo) -> {
            if (line.isBlank() || line.startsWith("#")) return;
            String[] cells = line.split("\t", -1);
            if (cells.length < 2) {
                throw new DatasetException(file + ":" + lineNo + ": expected a term and at least one synonym separated"
                        + " by tabs, found " + (cells[0].strip().contains(" ") ? "one column (spaces do not separate"
                        + " columns)" : "one column"));
            }
            String term = termKey(cells[0]);
            if (term.isEmpty()) throw new DatasetException(file + ":" + lineNo + ": the term (column 1) is empty");
            Set<String> list = terms.computeIfAbsent(term, t -> new LinkedHashSet<>());
            for (int c = 1; c < cells.length; c++) {
                String synonym = String.join(" ", Words.split(cells[c]));
                if (synonym.isEmpty()) {
                    throw new DatasetException(file + ":" + lineNo + ": column " + (c + 1) + " is empty (expected a"
                            + " synonym of \"" + cells[0].strip() + "\"; no tab at the end of a line)");
                }
                if (!termKey(synonym).equals(term)) list.add(synonym);
            }
        });
        if (terms.isEmpty()) throw new DatasetException(file + ": no terms (every line is blank or a # comment)");
        Map<String, List<String>> synonyms = new LinkedHashMap<>();
        terms.forEach((t, s) -> synonyms.put(t, List.copyOf(dedupe(s))));
        return new Lexicon(file, synonyms);
    }

    /** A term as text matches it: each word's key, joined by one space. */
    static String termKey(String text) {
        List<String> keys = new ArrayList<>();
        for (String w : Words.split(text)) {
            String k = Words.key(w);
            if (!k.isEmpty()) keys.add(k);
        }
        return String.join(" ", keys);
    }

    /** Drops later spellings of a synonym already listed (ignoring case). */
    private static List<String> dedupe(Set<String> synonyms) {
        Map<String, String> byKey = new LinkedHashMap<>();
        for (String s : synonyms) byKey.putIfAbsent(s.toLowerCase(Locale.ROOT), s);
        return new ArrayList<>(byKey.values());
    }

    /** How many terms have synonyms. */
    public int size() {
        return synonyms.size();
    }

    @Override
    public List<String> of(String term) {
        return synonyms.getOrDefault(term, List.of());
    }

    @Override
    public int longestTerm() {
        return longestTerm;
    }

    @Override
    public String toString() {
        return "the lexicon " + file + " (" + synonyms.size() + " terms)";
    }
}
