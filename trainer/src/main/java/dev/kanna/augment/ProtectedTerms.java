/*
 * Terms augmentation must leave as they are (--protect FILE): the words a label hangs on, drug and
 * gene names, product codes. One term per line (several words allowed, matched ignoring case and
 * the punctuation around words, as lexicon terms are); blank lines and lines starting with '#' are
 * skipped, a line holding a tab is one DatasetException naming the file and line. A protected term
 * is never replaced, never the source of an inserted synonym and never deleted; a swap moves it as
 * one piece. Mentions (token classification) that spell a protected term are not replaced either.
 */
package dev.kanna.augment;

import dev.kanna.data.DatasetException;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

public final class ProtectedTerms {
    public static final ProtectedTerms NONE = new ProtectedTerms(null, Set.of());

    private final Path file;
    private final Set<String> terms;    // keys
    private final int longest;          // words of the longest term

    private ProtectedTerms(Path file, Set<String> terms) {
        this.file = file;
        this.terms = Set.copyOf(terms);
        this.longest = terms.stream().mapToInt(t -> t.split(" ").length).max().orElse(0);
    }

    /** The terms listed in the given terms (for tests and library use); each is matched as a file line would be. */
    public static ProtectedTerms of(List<String> terms) {
        Set<String> keys = new HashSet<>();
        for (String t : terms) keys.add(Lexicon.termKey(t));
        keys.remove("");
        return new ProtectedTerms(null, keys);
    }

    public static ProtectedTerms read(Path file) {
        Set<String> keys = new HashSet<>();
        TextFiles.forEachLine(file, (line, lineNo) -> {
            if (line.isBlank() || line.startsWith("#")) return;
            if (line.indexOf('\t') >= 0) {
                throw new DatasetException(file + ":" + lineNo + ": expected one term per line, found a tab");
            }
            String key = Lexicon.termKey(line);
            if (key.isEmpty()) {
                throw new DatasetException(file + ":" + lineNo + ": \"" + line.strip() + "\" has no letter or digit to match");
            }
            keys.add(key);
        });
        return new ProtectedTerms(file, keys);
    }

    public int size() {
        return terms.size();
    }

    /** Whether the term (a key) is protected. */
    public boolean contains(String term) {
        return terms.contains(term);
    }

    /** The words of the longest protected term that starts at keys[from], or 0 when none does. */
    int longestMatch(List<String> keys, int from) {
        for (int n = Math.min(longest, keys.size() - from); n >= 1; n--) {
            if (terms.contains(Words.term(keys, from, from + n))) return n;
        }
        return 0;
    }

    @Override
    public String toString() {
        return file == null ? terms.size() + " protected terms" : file + " (" + terms.size() + " protected terms)";
    }
}
