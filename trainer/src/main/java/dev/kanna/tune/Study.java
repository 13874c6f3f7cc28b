/*
 * The search loop, free of what a trial trains: propose a trial's settings (the sampler), run it
 * (the objective, which reports its metric after each epoch and is told to stop when the pruner says
 * so), record how it ended, and go on until N trials are recorded or the time budget is spent.
 * trials.jsonl is rewritten (atomically) after every trial, and holds everything the sampler and
 * the pruner read: a search killed at any point and resumed from it proposes and prunes exactly as
 * the uninterrupted one (the trial that was running starts again).
 */
package dev.kanna.tune;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kanna.io.AtomicFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

public final class Study {
    public static final String TRIALS_FILE = "trials.jsonl";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What a trial does: the training run (or, in tests, a synthetic function). */
    public interface Objective {
        /**
         * Runs trial `number` with the settings, reporting its metric after each epoch; returns its value.
         * Once report answers true (pruned), the trial should stop; what it returns then is not used.
         */
        double run(int number, Map<String, Object> settings, Reporter reporter) throws Exception;

        /** Told each trial's outcome before it is recorded, and whether it is the best complete trial so far. */
        default void finished(Trial trial, boolean best) throws IOException {
        }
    }

    /** Takes a trial's metric after each epoch; answers whether to stop it there. */
    @FunctionalInterface
    public interface Reporter {
        boolean report(double value);
    }

    /** Told after each trial is recorded. */
    @FunctionalInterface
    public interface Progress {
        void trialRecorded(Trial trial, Optional<Trial> best);
    }

    private final Path dir;
    private final Sampler sampler;
    private final Pruner pruner;
    private final Direction direction;
    private final List<Trial> trials;

    /** A study recording into dir/trials.jsonl, continuing the trials already there. */
    public Study(Path dir, Sampler sampler, Pruner pruner, Direction direction) throws IOException {
        this.dir = dir;
        this.sampler = sampler;
        this.pruner = pruner;
        this.direction = direction;
        this.trials = read(dir.resolve(TRIALS_FILE));
    }

    /** The trials recorded so far, in order. */
    public List<Trial> trials() {
        return List.copyOf(trials);
    }

    /** The complete trial with the best value (the earliest among equals), if any. */
    public Optional<Trial> best() {
        return best(trials, direction);
    }

    static Optional<Trial> best(List<Trial> trials, Direction direction) {
        Trial best = null;
        for (Trial t : trials) {
            if (t.state() == Trial.State.COMPLETE && (best == null || direction.better(t.value(), best.value()))) best = t;
        }
        return Optional.ofNullable(best);
    }

    /** The seconds the recorded trials took together (what --time counts, across resumes). */
    public double seconds() {
        return trials.stream().mapToDouble(Trial::seconds).sum();
    }

    /**
     * Runs trials until `count` are recorded, or until the recorded ones have taken budgetSeconds
     * (0: no limit; a running trial is not cut).
     */
    public void run(Objective objective, int count, double budgetSeconds, Progress progress) throws IOException {
        while (trials.size() < count && !(budgetSeconds > 0 && seconds() >= budgetSeconds)) {
            int number = trials.size();
            Map<String, Object> settings = sampler.propose(number, List.copyOf(trials));
            Trial trial = runOne(objective, number, settings);
            boolean best = best().map(b -> trial.state() == Trial.State.COMPLETE && direction.better(trial.value(), b.value()))
                    .orElse(trial.state() == Trial.State.COMPLETE);
            objective.finished(trial, best);
            trials.add(trial);
            write();
            progress.trialRecorded(trial, best());
        }
    }

    private Trial runOne(Objective objective, int number, Map<String, Object> settings) {
        List<Trial> earlier = List.copyOf(trials);
        List<Double> values = new ArrayList<>();
        boolean[] pruned = {false};
        long start = System.nanoTime();
        Trial.State state;
        Double value = null;
        String reason = null;
        try {
            double v = objective.run(number, settings, metric -> {
                values.add(metric);
                if (!pruned[0]) pruned[0] = pruner.prune(earlier, values);
                return pruned[0];
            });
            if (pruned[0]) state = Trial.State.PRUNED;
            else if (Double.isNaN(v)) {
                state = Trial.State.FAILED;
                reason = "the metric is NaN";
            } else {
                state = Trial.State.COMPLETE;
                value = v;
            }
        } catch (Exception | OutOfMemoryError e) {
            state = Trial.State.FAILED;
            reason = e instanceof OutOfMemoryError ? "out of memory (Java heap)"
                    : e.getMessage() != null ? e.getMessage().lines().findFirst().orElse(e.toString()) : e.toString();
        }
        return new Trial(number, settings, values, state, value, reason, (System.nanoTime() - start) / 1e9);
    }

    private void write() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (Trial t : trials) sb.append(JSON.writeValueAsString(t.json())).append('\n');
        AtomicFiles.writeString(dir.resolve(TRIALS_FILE), sb.toString());
    }

    @SuppressWarnings("unchecked")
    static List<Trial> read(Path file) throws IOException {
        List<Trial> trials = new ArrayList<>();
        if (!Files.exists(file)) return trials;
        int line = 0;
        for (String text : Files.readAllLines(file)) {
            line++;
            if (text.isBlank()) continue;
            try {
                Trial t = Trial.fromJson(JSON.readValue(text, Map.class));
                if (t.number() != trials.size()) throw new IllegalArgumentException("trial " + t.number() + " out of order");
                trials.add(t);
            } catch (IOException | RuntimeException e) {
                throw new IllegalArgumentException(file + ":" + line + ": not a trial record (" + e.getMessage() + ")");
            }
        }
        return trials;
    }
}
