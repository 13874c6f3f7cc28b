/*
 * `kanna augment` as a library call: reads a task's dataset, makes `copies` new rows from each row
 * with the task's Augmenter (row i's draws from Augmentation.random(seed, 0, i): the rows train
 * --augment trains on in its first epoch with the same seed), and writes the rows and then the new
 * ones in the file's own format, every other field kept (AugmentedFile).
 */
package dev.kanna.task;

import dev.kanna.augment.AugmentSettings;
import dev.kanna.augment.Augmentation;
import dev.kanna.augment.Augmenter;
import dev.kanna.data.AugmentedFile;
import dev.kanna.data.Example;
import dev.kanna.data.TaggedSentence;
import dev.kanna.report.ProgressBar;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

public final class FileAugmentation {

    /** What to augment and how; data and out in the same format. */
    public record Options(Path data, Path out, DataOptions dataOptions, AugmentSettings settings, long seed,
                          boolean overwrite) {
    }

    /** rows: the file's; added: the new rows; unchanged: new rows equal to their source; description: the augmenter's. */
    public record Result(Path out, int rows, int added, int unchanged, String description, double seconds) {
    }

    private FileAugmentation() {
    }

    public static Result run(Task<?, ?> task, Options o, Consumer<String> log) throws IOException {
        return runTyped(task, o, log);
    }

    private static <R, E extends TaskData> Result runTyped(Task<R, E> task, Options o, Consumer<String> log)
            throws IOException {
        long start = System.nanoTime();
        boolean tagged = task instanceof TokenClassification;
        AugmentedFile.checkFormats(o.data(), o.out(), tagged);
        if (Files.exists(o.out()) && Files.exists(o.data()) && Files.isSameFile(o.out(), o.data())) {
            throw new IllegalArgumentException("--out " + o.out() + " is the --data file; write the augmented data elsewhere");
        }
        if (Files.exists(o.out()) && !o.overwrite()) {
            throw new IllegalArgumentException(o.out() + " already exists (use --overwrite to replace it)");
        }
        Augmentation augmentation = o.settings().load();
        List<R> rows = task.read(o.data(), o.dataOptions());
        Augmenter<R> augmenter = task.augmenter(augmentation, rows, o.dataOptions());
        log.accept("augmenting " + rows.size() + " rows × " + o.settings().copies() + ": " + augmenter.describe());
        int copies = o.settings().copies();
        List<R> added = new ArrayList<>(rows.size() * copies);
        int[] source = new int[rows.size() * copies];
        int unchanged = 0;
        try (ProgressBar bar = new ProgressBar("augment", rows.size(), "rows")) {
            for (int i = 0; i < rows.size(); i++) {
                List<R> made = augmenter.augment(rows.get(i), copies, Augmentation.random(o.seed(), 0, i));
                for (R r : made) {
                    source[added.size()] = i;
                    if (same(r, rows.get(i))) unchanged++;
                    added.add(r);
                }
                bar.step(1, "");
            }
        }
        if (tagged) {
            AugmentedFile.writeTagged(o.data(), o.out(), o.dataOptions().tagFields(), cast(rows), cast(added), source);
        } else {
            AugmentedFile.writeText(o.data(), o.out(), o.dataOptions().fields(), cast(rows), cast(added), source);
        }
        return new Result(o.out(), rows.size(), added.size(), unchanged, augmenter.describe(),
                (System.nanoTime() - start) / 1e9);
    }

    /** Whether a new row says the same as its source (its words and tags, or its text). */
    private static boolean same(Object made, Object row) {
        return switch (made) {
            case TaggedSentence s when row instanceof TaggedSentence r -> s.words().equals(r.words()) && s.tags().equals(r.tags());
            case Example e when row instanceof Example r -> String.join(" ", dev.kanna.augment.Words.split(e.text()))
                    .equals(String.join(" ", dev.kanna.augment.Words.split(r.text())));
            default -> false;
        };
    }

    @SuppressWarnings("unchecked")
    private static <T> List<T> cast(List<?> rows) {
        return (List<T>) rows;
    }
}
