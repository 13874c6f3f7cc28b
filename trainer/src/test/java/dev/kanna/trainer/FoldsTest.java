/*
 * Stratified K-fold splits (Folds): every row is held out by exactly one fold, the folds' sizes and
 * each stratum's count per fold are exactly ⌊n/K⌋ or ⌈n/K⌉ (counted here from the assignment), the
 * same seed gives the same folds, regression folds each take one row of every K neighbouring values,
 * and too few rows of a class for K folds is one line naming the class, its count and the file.
 */
package dev.kanna.trainer;

import dev.kanna.data.DatasetException;
import dev.kanna.data.TaggedSentence;
import dev.kanna.task.DataOptions;
import dev.kanna.task.SequenceClassification;
import dev.kanna.task.Stratification;
import dev.kanna.task.TokenClassification;
import org.junit.jupiter.api.Test;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.*;

class FoldsTest {
    private static final Path FILE = Path.of("train.jsonl");

    /** Rows of the given classes, interleaved: a, b, c, a, b, c, ... until each count is used. */
    private static Stratification.ByClasses classes(Map<String, Integer> counts) {
        List<SortedSet<String>> rows = new ArrayList<>();
        Map<String, Integer> left = new HashMap<>(counts);
        while (left.values().stream().anyMatch(n -> n > 0)) {
            for (String c : new TreeSet<>(counts.keySet())) {
                if (left.get(c) == 0) continue;
                rows.add(new TreeSet<>(List.of(c)));
                left.merge(c, -1, Integer::sum);
            }
        }
        return new Stratification.ByClasses(rows, "class");
    }

    /** The count of each stratum (a set of classes) in each fold: key → [fold] count. */
    private static Map<String, int[]> perFold(Stratification.ByClasses strata, int[] fold, int k) {
        Map<String, int[]> counts = new HashMap<>();
        for (int i = 0; i < fold.length; i++) counts.computeIfAbsent(strata.classes().get(i).toString(), s -> new int[k])[fold[i]]++;
        return counts;
    }

    /** Each of n rows' strata spread as ⌊n/K⌋ or ⌈n/K⌉ per fold, with exactly n mod K folds at ⌈n/K⌉. */
    private static void assertEven(int[] counts, int k, String what) {
        int n = Arrays.stream(counts).sum();
        long larger = Arrays.stream(counts).filter(c -> c == n / k + 1).count();
        for (int c : counts) assertTrue(c == n / k || c == n / k + 1, what + ": " + Arrays.toString(counts));
        assertEquals(n % k, larger, what + ": " + Arrays.toString(counts));
    }

    @Test
    void everyRowIsHeldOutOnceAndEachClassIsSpreadEvenly() {
        Stratification.ByClasses strata = classes(Map.of("a", 20, "b", 17, "c", 11));
        int[] fold = Folds.assign(strata, 5, 7, FILE);
        assertEquals(48, fold.length);
        int[] sizes = new int[5];
        for (int f : fold) sizes[f]++;                    // each row in exactly one fold, by construction of the array
        assertArrayEquals(new int[]{10, 10, 10, 9, 9}, sizes, "48 = 5·9 + 3: the first three folds hold one more");
        Map<String, int[]> counts = perFold(strata, fold, 5);
        assertArrayEquals(new int[]{4, 4, 4, 4, 4}, counts.get("[a]"));
        assertEven(counts.get("[b]"), 5, "b");            // 17: 3 or 4, two folds at 4
        assertEven(counts.get("[c]"), 5, "c");            // 11: 2 or 3, one fold at 3
        List<Integer> heldOut = new ArrayList<>(), training = new ArrayList<>();
        for (int f = 0; f < 5; f++) {
            for (int i = 0; i < 48; i++) (fold[i] == f ? heldOut : training).add(i);
        }
        assertEquals(48, heldOut.size(), "the held-out parts are disjoint and cover every row");
        assertEquals(48, new TreeSet<>(heldOut).size());
        assertEquals(48 * 4, training.size(), "each row trains in the other K − 1 folds");
    }

    @Test
    void theSameSeedGivesTheSameFolds() {
        Stratification.ByClasses strata = classes(Map.of("ham", 30, "spam", 25));
        assertArrayEquals(Folds.assign(strata, 4, 42, FILE), Folds.assign(strata, 4, 42, FILE));
        assertFalse(Arrays.equals(Folds.assign(strata, 4, 42, FILE), Folds.assign(strata, 4, 43, FILE)),
                "another seed deals the rows otherwise");
    }

    @Test
    void labelSetsAreStrata() {
        List<SortedSet<String>> rows = new ArrayList<>();
        String[][] sets = {{}, {"x"}, {"x", "y"}, {"y"}};
        int[] counts = {9, 7, 6, 5};
        for (int s = 0; s < sets.length; s++) for (int r = 0; r < counts[s]; r++) rows.add(new TreeSet<>(List.of(sets[s])));
        Stratification.ByClasses strata = new Stratification.ByClasses(rows, "label");
        int[] fold = Folds.assign(strata, 3, 1, FILE);
        perFold(strata, fold, 3).forEach((set, perFold) -> assertEven(perFold, 3, set));
    }

    @Test
    void regressionFoldsEachTakeOneOfEveryKNeighbouringValues() {
        int n = 23, k = 4;
        double[] values = new double[n];
        for (int i = 0; i < n; i++) values[i] = (i * 7919) % n;    // 0..22, scrambled
        int[] fold = Folds.assign(new Stratification.ByValue(values), k, 9, FILE);
        int[] bySortedValue = new int[n];
        for (int i = 0; i < n; i++) bySortedValue[(int) values[i]] = fold[i];
        for (int start = 0; start + k <= n; start += k) {
            assertEquals(k, Arrays.stream(bySortedValue, start, start + k).distinct().count(),
                    "values " + start + ".." + (start + k - 1) + " lie in " + Arrays.toString(Arrays.copyOfRange(bySortedValue, start, start + k)));
        }
    }

    @Test
    void moreFoldsThanRowsOfAClassIsOneLine() {
        var e = assertThrows(DatasetException.class, () -> Folds.assign(classes(Map.of("a", 10, "b", 3)), 4, 1, FILE));
        assertEquals("--folds 4: the class \"b\" occurs in only 3 rows of train.jsonl; every fold must hold out some of"
                + " each class (--folds 3 at most)", e.getMessage());
        var one = assertThrows(DatasetException.class, () -> Folds.assign(classes(Map.of("a", 10, "b", 1)), 2, 1, FILE));
        assertTrue(one.getMessage().contains("\"b\" occurs in only 1 row of"), one.getMessage());
        var rows = assertThrows(DatasetException.class, () -> Folds.assign(new Stratification.ByValue(new double[3]), 5, 1, FILE));
        assertTrue(rows.getMessage().contains("train.jsonl has only 3 rows"), rows.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Folds.assign(classes(Map.of("a", 10, "b", 10)), 1, 1, FILE));
    }

    private static Path tiny(String path) {
        try {
            return Path.of(FoldsTest.class.getResource("/tiny/" + path).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theTasksStratifyTheirOwnRows() {
        SequenceClassification classification = new SequenceClassification();
        var rows = classification.read(tiny("train.jsonl"), DataOptions.defaults(64));
        var strata = (Stratification.ByClasses) classification.stratification(rows);
        int[] fold = Folds.assign(strata, 5, 42, tiny("train.jsonl"));
        perFold(strata, fold, 5).forEach((label, perFold) -> assertEven(perFold, 5, label));

        TokenClassification ner = new TokenClassification();
        List<TaggedSentence> sentences = ner.read(tiny("ner/train.conll"), DataOptions.defaults(64));
        var types = (Stratification.ByClasses) ner.stratification(sentences);
        assertEquals("entity type", types.kind());
        for (int s = 0; s < sentences.size(); s++) {
            for (String tag : sentences.get(s).tags()) {
                if (tag.startsWith("B-")) assertTrue(types.classes().get(s).contains(tag.substring(2)), "sentence " + s);
            }
        }
        int[] nerFolds = Folds.assign(types, 3, 42, tiny("ner/train.conll"));
        perFold(types, nerFolds, 3).forEach((set, perFold) -> assertEven(perFold, 3, set));
    }
}
