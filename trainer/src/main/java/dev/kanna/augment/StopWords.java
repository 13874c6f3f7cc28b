/*
 * The stop words Easy Data Augmentation never replaces and never draws synonyms for: the list of
 * Wei & Zou's reference implementation (eda.py, NLTK's English list less a few), matched against a
 * word's lower-cased letters and digits.
 */
package dev.kanna.augment;

import java.util.Set;

public final class StopWords {
    private static final Set<String> WORDS = Set.of(
            "i", "me", "my", "myself", "we", "our", "ours", "ourselves", "you", "your", "yours", "yourself",
            "yourselves", "he", "him", "his", "himself", "she", "her", "hers", "herself", "it", "its", "itself",
            "they", "them", "their", "theirs", "themselves", "what", "which", "who", "whom", "this", "that",
            "these", "those", "am", "is", "are", "was", "were", "be", "been", "being", "have", "has", "had",
            "having", "do", "does", "did", "doing", "a", "an", "the", "and", "but", "if", "or", "because", "as",
            "until", "while", "of", "at", "by", "for", "with", "about", "against", "between", "into", "through",
            "during", "before", "after", "above", "below", "to", "from", "up", "down", "in", "out", "on", "off",
            "over", "under", "again", "further", "then", "once", "here", "there", "when", "where", "why", "how",
            "all", "any", "both", "each", "few", "more", "most", "other", "some", "such", "no", "nor", "not",
            "only", "own", "same", "so", "than", "too", "very", "s", "t", "can", "will", "just", "don", "should",
            "now");

    private StopWords() {
    }

    /** Whether a word key (Words.key: lower case, outer punctuation stripped) is a stop word; "" counts as one. */
    public static boolean contains(String key) {
        return key.isEmpty() || WORDS.contains(key);
    }
}
