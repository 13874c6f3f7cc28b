/*
 * Where synonyms come from: a domain lexicon (Lexicon), WordNet (WordNetSynonyms), or both, the
 * lexicon's first. A term is a key of Words (lower case, one space between the words of a
 * multi-word term); its synonyms are written as they should appear in text.
 */
package dev.kanna.augment;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

public interface Synonyms {
    /** None at all: what augmentation has without --lexicon and --wordnet. */
    Synonyms NONE = new Synonyms() {
        @Override
        public List<String> of(String term) {
            return List.of();
        }

        @Override
        public int longestTerm() {
            return 1;
        }

        @Override
        public String toString() {
            return "none";
        }
    };

    /** The term's synonyms in a fixed order, none equal to the term (ignoring case); empty when it has none. */
    List<String> of(String term);

    /** The most words a term with synonyms has (1: single words only). */
    int longestTerm();

    /** The synonyms of every source in order, each once (the first spelling of those equal ignoring case). */
    static Synonyms of(List<Synonyms> sources) {
        if (sources.isEmpty()) return NONE;
        if (sources.size() == 1) return sources.getFirst();
        int longest = sources.stream().mapToInt(Synonyms::longestTerm).max().orElse(1);
        Map<String, List<String>> cache = new java.util.HashMap<>();
        return new Synonyms() {
            @Override
            public List<String> of(String term) {
                return cache.computeIfAbsent(term, t -> {
                    Map<String, String> all = new LinkedHashMap<>();
                    for (Synonyms s : sources) for (String w : s.of(t)) all.putIfAbsent(w.toLowerCase(Locale.ROOT), w);
                    return List.copyOf(new ArrayList<>(all.values()));
                });
            }

            @Override
            public int longestTerm() {
                return longest;
            }

            @Override
            public String toString() {
                return String.join(" and ", sources.stream().map(Object::toString).toList());
            }
        };
    }
}
