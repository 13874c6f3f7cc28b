/*
 * Easy Data Augmentation (Wei & Zou 2019, "EDA: Easy Data Augmentation Techniques for Boosting
 * Performance on Text Classification Tasks"), following the rules of their reference
 * implementation (eda.py) on a list of words (Words: whitespace-separated, punctuation attached):
 *
 *   synonym  n = max(1, ⌊alpha·words⌋) distinct terms, in random order among those that have
 *            synonyms and are neither stop words nor protected, each replaced everywhere it occurs
 *            by one of its synonyms drawn at random (a multi-word lexicon term counts as one)
 *   insert   n times: up to 10 draws of a random term until one has synonyms (else nothing is
 *            inserted); one of its synonyms, drawn at random, goes in before a random position
 *            0 … size−1 (never after the last word, as randint(0, len−1) there)
 *   swap     n times: two random positions are swapped; the second is drawn until it differs from
 *            the first, and a fourth draw gives up (that swap is skipped). A text of several sentences
 *            (Words.sentences) swaps whole sentences instead, n = max(1, ⌊alpha·sentences⌋)
 *   delete   each word goes with probability alpha (a uniform draw u, kept when u > alpha); if
 *            none is left, one drawn at random stays; a single word is never deleted
 *
 * Protected terms (ProtectedTerms) are units that are never replaced, deleted, or drawn for an
 * insertion; a swap moves them whole. Draws come from the RandomGenerator given, in the order
 * written above, so a test can follow them.
 */
package dev.kanna.augment;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

public final class Eda {
    /** Tries to find a term with synonyms before an insertion gives up (the reference's counter). */
    static final int INSERT_TRIES = 10;
    /** Redraws of a swap's second position that equals the first (the reference's counter). */
    static final int SWAP_REDRAWS = 3;

    private final Synonyms synonyms;
    private final ProtectedTerms protect;

    /** A word, or a protected term of several words, that the operations treat as one piece. */
    record Unit(List<String> words, boolean protectedTerm) {
        static Unit word(String w) {
            return new Unit(List.of(w), false);
        }

        String key() {
            return words.size() == 1 ? Words.key(words.getFirst()) : Lexicon.termKey(String.join(" ", words));
        }
    }

    public Eda(Synonyms synonyms, ProtectedTerms protect) {
        this.synonyms = synonyms;
        this.protect = protect;
    }

    /** The operations' count for a text of `size` words (or sentences): max(1, ⌊alpha·size⌋). */
    public static int count(double alpha, int size) {
        return Math.max(1, (int) (alpha * size));
    }

    /** The words as units: each protected term (the longest that starts at a word) one unit, every other word one. */
    List<Unit> units(List<String> words) {
        List<String> keys = words.stream().map(Words::key).toList();
        List<Unit> units = new ArrayList<>(words.size());
        for (int i = 0; i < words.size(); ) {
            int n = protect.longestMatch(keys, i);
            units.add(new Unit(List.copyOf(words.subList(i, i + Math.max(1, n))), n > 0));
            i += Math.max(1, n);
        }
        return units;
    }

    static List<String> words(List<Unit> units) {
        List<String> out = new ArrayList<>();
        for (Unit u : units) out.addAll(u.words());
        return out;
    }

    /** A term: positions [from, to) of a list of words or units, one word or a multi-word lexicon term, and its key. */
    record Span(int from, int to, String key) {
    }

    /**
     * Positions cut into terms: at each the longest term with synonyms that starts there and covers
     * only free positions (not protected; token classification: outside mentions), else the
     * position alone.
     */
    static List<Span> spans(List<String> keys, boolean[] free, Synonyms synonyms) {
        List<Span> spans = new ArrayList<>();
        for (int i = 0; i < keys.size(); ) {
            int length = 1;
            for (int n = Math.min(synonyms.longestTerm(), keys.size() - i); n >= 2; n--) {
                boolean all = true;
                for (int k = i; k < i + n; k++) all &= free[k];
                if (all && !synonyms.of(Words.term(keys, i, i + n)).isEmpty()) {
                    length = n;
                    break;
                }
            }
            spans.add(new Span(i, i + length, Words.term(keys, i, i + length)));
            i += length;
        }
        return spans;
    }

    private List<Span> spans(List<Unit> units) {
        boolean[] free = new boolean[units.size()];
        for (int i = 0; i < free.length; i++) free[i] = !units.get(i).protectedTerm();
        return spans(units.stream().map(Unit::key).toList(), free, synonyms);
    }

    /** Whether a span may be replaced or give a synonym to insert: unprotected, no stop word, with synonyms. */
    private boolean replaceable(List<Unit> units, Span s) {
        return !units.get(s.from()).protectedTerm() && replaceable(s, synonyms, protect);
    }

    /** Whether a term of free positions may be replaced: no stop word (single words), not protected, with synonyms. */
    static boolean replaceable(Span s, Synonyms synonyms, ProtectedTerms protect) {
        if (s.to() - s.from() == 1 && StopWords.contains(s.key())) return false;
        return !protect.contains(s.key()) && !synonyms.of(s.key()).isEmpty();
    }

    /** Synonym replacement of n distinct terms (each everywhere it occurs). */
    public List<String> synonymReplacement(List<String> words, int n, RandomGenerator random) {
        List<Unit> units = units(words);
        List<Span> spans = spans(units);
        Map<String, Boolean> seen = new LinkedHashMap<>();
        for (Span s : spans) if (!seen.containsKey(s.key())) seen.put(s.key(), replaceable(units, s));
        List<String> candidates = new ArrayList<>();
        seen.forEach((key, ok) -> {
            if (ok) candidates.add(key);
        });
        shuffle(candidates, random);
        Map<String, String> chosen = new LinkedHashMap<>();
        for (String key : candidates.subList(0, Math.min(n, candidates.size()))) {
            List<String> options = synonyms.of(key);
            chosen.put(key, options.get(random.nextInt(options.size())));
        }
        List<Unit> out = new ArrayList<>();
        for (Span s : spans) {
            String synonym = chosen.get(s.key());
            if (synonym == null || !replaceable(units, s)) {
                out.addAll(units.subList(s.from(), s.to()));
                continue;
            }
            List<String> original = words(units.subList(s.from(), s.to()));
            for (String w : Words.replace(original, 0, original.size(), synonym)) out.add(Unit.word(w));
        }
        return words(out);
    }

    /** Random insertion of n synonyms. */
    public List<String> randomInsertion(List<String> words, int n, RandomGenerator random) {
        List<Unit> units = units(words);
        for (int k = 0; k < n && !units.isEmpty(); k++) {
            List<Span> spans = spans(units);
            List<String> options = null;
            for (int tries = 0; tries < INSERT_TRIES && options == null; tries++) {
                Span s = spans.get(random.nextInt(spans.size()));
                if (replaceable(units, s)) options = synonyms.of(s.key());
            }
            if (options == null) continue;
            String synonym = options.get(random.nextInt(options.size()));
            int at = random.nextInt(units.size());
            List<Unit> inserted = new ArrayList<>();
            for (String w : Words.split(synonym)) inserted.add(Unit.word(w));
            units.addAll(at, inserted);
        }
        return words(units);
    }

    /** Random swap of two units, n times. */
    public List<String> randomSwap(List<String> words, int n, RandomGenerator random) {
        List<Unit> units = units(words);
        for (int k = 0; k < n; k++) swapTwo(units, random);
        return words(units);
    }

    /**
     * The reference's swap_word on any list: a random first position, then the second drawn until it
     * differs; the fourth draw of the second gives up (that swap is skipped, whatever it drew).
     */
    static <T> void swapTwo(List<T> items, RandomGenerator random) {
        if (items.isEmpty()) return;
        int first = random.nextInt(items.size()), second = first;
        for (int draws = 0; second == first; ) {
            second = random.nextInt(items.size());
            if (++draws > SWAP_REDRAWS) return;
        }
        T t = items.get(first);
        items.set(first, items.get(second));
        items.set(second, t);
    }

    /** Random deletion: each unprotected unit goes with probability p; never all of them. */
    public List<String> randomDeletion(List<String> words, double p, RandomGenerator random) {
        List<Unit> units = units(words);
        if (units.size() <= 1) return words(units);
        List<Unit> kept = new ArrayList<>();
        for (Unit u : units) {
            double draw = random.nextDouble();
            if (u.protectedTerm() || draw > p) kept.add(u);
        }
        if (kept.isEmpty()) kept.add(units.get(random.nextInt(units.size())));
        return words(kept);
    }

    /** Fisher–Yates from the end, as Python's random.shuffle: position i takes a draw in [0, i]. */
    static <T> void shuffle(List<T> items, RandomGenerator random) {
        for (int i = items.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            T t = items.get(i);
            items.set(i, items.get(j));
            items.set(j, t);
        }
    }
}
