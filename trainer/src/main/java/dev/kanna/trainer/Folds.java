/*
 * Stratified K-fold splits for cross-validation (train --folds): every row is held out by exactly
 * one fold, and rows alike are spread evenly over the folds. The rows are shuffled (seeded), then
 * ordered by stratum (stably, so the shuffle decides the order within one) and dealt out in turn,
 * row p to fold p mod K, the deal running on from one stratum into the next:
 *
 *   - by classes (Stratification.ByClasses), a stratum is one set of classes: a single-label class,
 *     a multi-label row's label-set, the entity types a sentence holds. Each stratum of n rows puts
 *     ⌊n/K⌋ or ⌈n/K⌉ of them in every fold (strata in sorted order, so the label-sets that share
 *     their first labels lie together and those labels spread evenly too);
 *   - by value (ByValue, regression), the rows sorted by their target: each fold takes one row of
 *     every K consecutive values (binned K-fold, bins of K rows), so each spans the whole range.
 *
 * Either way the folds hold ⌊N/K⌋ or ⌈N/K⌉ rows, the first N mod K folds the larger. Every class
 * must occur in at least K rows, so that every fold holds out some of it.
 */
package dev.kanna.trainer;

import dev.kanna.backend.DropoutRng;
import dev.kanna.data.DatasetException;
import dev.kanna.task.Stratification;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;

public final class Folds {
    private Folds() {
    }

    /**
     * The fold (0..k−1) that holds out each row. Fewer than k rows of some class (or fewer rows than
     * folds) is one DatasetException naming the file.
     *
     * @param file the training data, for messages
     */
    public static int[] assign(Stratification strata, int k, long seed, Path file) {
        int n = strata.size();
        if (k < 2) throw new IllegalArgumentException("--folds must be ≥ 2, got " + k);
        if (n < k) throw new DatasetException("--folds " + k + ": " + file + " has only " + n + " rows; every fold needs one to hold out");
        Integer[] order = shuffled(n, seed);
        switch (strata) {
            case Stratification.ByClasses c -> {
                checkClasses(c, k, file);
                String[] keys = new String[n];
                for (int i = 0; i < n; i++) keys[i] = String.join("\u0000", c.classes().get(i));
                Arrays.sort(order, Comparator.comparing(i -> keys[i]));
            }
            case Stratification.ByValue v -> Arrays.sort(order, Comparator.comparingDouble(i -> v.values()[i]));
        }
        int[] fold = new int[n];
        for (int p = 0; p < n; p++) fold[order[p]] = p % k;
        return fold;
    }

    /** Every class must occur in at least k rows: the rarest that does not is the error. */
    private static void checkClasses(Stratification.ByClasses c, int k, Path file) {
        Map<String, Integer> counts = new TreeMap<>();
        for (SortedSet<String> classes : c.classes()) for (String name : classes) counts.merge(name, 1, Integer::sum);
        String rarest = null;
        for (var e : counts.entrySet()) if (rarest == null || e.getValue() < counts.get(rarest)) rarest = e.getKey();
        if (rarest != null && counts.get(rarest) < k) {
            int rows = counts.get(rarest);
            throw new DatasetException("--folds " + k + ": the " + c.kind() + " \"" + rarest + "\" occurs in only " + rows
                    + (rows == 1 ? " row" : " rows") + " of " + file + "; every fold must hold out some of each "
                    + c.kind() + (rows >= 2 ? " (--folds " + rows + " at most)" : ", so each needs at least 2 rows"));
        }
    }

    /** 0..n−1 in a Fisher–Yates shuffle seeded by the seed. */
    private static Integer[] shuffled(int n, long seed) {
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        java.util.SplittableRandom random = new java.util.SplittableRandom(DropoutRng.derive(seed, 0xF01D_0000L));
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            Integer t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }
}
