/*
 * Augmentation ready to run: the settings with the synonyms and protected terms they name loaded.
 * Tasks build their Augmenter from it (Task.augmenter). Rows are augmented with a generator seeded
 * from (seed, epoch, row), the same scheme as the masked-LM's dynamic masks, so a row's new rows
 * do not depend on the others, and `augment --seed S` writes what `train --augment --seed S` trains
 * on in its first epoch (epoch 0).
 */
package dev.kanna.augment;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

public record Augmentation(AugmentSettings settings, Synonyms synonyms, ProtectedTerms protect) {

    /** The generator for row `row`'s new rows in epoch `epoch`. */
    public static SplittableRandom random(long seed, int epoch, int row) {
        return new SplittableRandom(mix64(mix64(mix64(seed ^ 0xA06_3E27L) + epoch) + row));
    }

    /**
     * The operations for a task that supports `supported` (its default): those asked for, each
     * checked; by default all of them, less those that need synonyms when none were given.
     */
    public List<Operation> operations(List<Operation> supported, String task) {
        if (settings.ops() == null) {
            List<Operation> ops = new ArrayList<>(supported);
            if (synonyms == Synonyms.NONE) ops.removeIf(Operation::needsSynonyms);
            if (ops.isEmpty()) {
                throw new IllegalArgumentException("augmentation: " + task + " augments with " + Operation.flags(supported)
                        + ", which need synonyms: give --lexicon FILE and/or --wordnet");
            }
            return List.copyOf(ops);
        }
        for (Operation op : settings.ops()) {
            if (!supported.contains(op)) {
                throw new IllegalArgumentException("augmentation: " + task + " augments with " + Operation.flags(supported)
                        + ", not " + op.flag());
            }
            if (op.needsSynonyms() && synonyms == Synonyms.NONE) {
                throw new IllegalArgumentException("augmentation: " + op.flag() + " needs synonyms: give --lexicon FILE"
                        + " and/or --wordnet, or leave " + op.flag() + " out of the operations");
            }
        }
        return settings.ops();
    }

    /** A log line's account of the operations, rate and sources. */
    public String describe(List<Operation> ops, List<Operation> supported) {
        String line = Operation.flags(ops) + " at alpha " + settings.alpha() + "; synonyms from " + synonyms;
        List<Operation> off = new ArrayList<>(supported);
        off.removeAll(ops);
        if (settings.ops() == null && !off.isEmpty()) line += " (" + Operation.flags(off) + " off: no --lexicon or --wordnet)";
        if (protect.size() > 0) line += "; " + protect;
        return line;
    }

    // Stafford's variant 13 of the MurmurHash3 finalizer, as MlmMasker's.
    private static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
