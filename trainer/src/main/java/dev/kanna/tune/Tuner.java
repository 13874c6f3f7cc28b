/*
 * `kanna tune`: a hyperparameter search over training runs. Each trial is a Trainer run of the base
 * options with the trial's settings, in OUT/trials/trial-NNNN; its validation metric after each
 * epoch goes to the pruner (an EpochListener stops a pruned run), and its value is the best epoch's
 * metric (the model the run keeps). The trials share the read and tokenized data (prepared once,
 * before the first trial, so bad data fails at once) and, with --cache-frozen, one frozen-layer
 * cache per frozen depth (SharedWork). The best complete trial's model moves to OUT/best-model;
 * the others' directories are deleted. OUT also gets trials.jsonl (the Study), tune.json (the
 * settings, checked on --resume), best.json, tune.svg and summary.json.
 */
package dev.kanna.tune;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.kanna.bert.BertConfig;
import dev.kanna.io.AtomicFiles;
import dev.kanna.report.ProgressBar;
import dev.kanna.trainer.Checkpoints;
import dev.kanna.trainer.EpochListener;
import dev.kanna.trainer.SharedWork;
import dev.kanna.trainer.TrainOptions;
import dev.kanna.trainer.Trainer;

import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

public final class Tuner {
    static final String SETTINGS_FILE = "tune.json", BEST_FILE = "best.json", SUMMARY_FILE = "summary.json",
            PLOT_FILE = "tune.svg", BEST_MODEL = "best-model", TRIALS_DIR = "trials";
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** A finished search: every trial recorded, the best complete one (if any), where it all is. */
    public record Result(Path out, List<Trial> trials, Optional<Trial> best, String metric, Direction direction,
                         List<String> bestCommandLine, double seconds, Map<String, Object> summary) {
    }

    private final TuneOptions o;
    private final Consumer<String> log;
    private final SharedWork shared = new SharedWork();
    private final Direction direction;

    public Tuner(TuneOptions options, Consumer<String> log) {
        this.o = options;
        this.log = log;
        this.direction = options.base().taskObject().lowerIsBetter(options.metric()) ? Direction.MINIMIZE : Direction.MAXIMIZE;
    }

    public Result run() throws IOException {
        if (o.base().validation() == null) {
            throw new IllegalArgumentException("tune needs --validation data: each trial is scored on it");
        }
        checkOutput();
        long start = System.nanoTime();
        // Bad data fails here, once, before any trial; the trials reuse what this reads and tokenizes.
        new Trainer(o.base(), List.of(), log).share(shared).prepareData();
        if (!o.resume()) {
            if (Files.exists(o.out())) AtomicFiles.deleteRecursively(o.out());
            Files.createDirectories(o.out());
            AtomicFiles.writeString(o.out().resolve(SETTINGS_FILE), JSON.writeValueAsString(settingsRecord()));
        }
        AtomicFiles.deleteRecursively(o.out().resolve(TRIALS_DIR));   // a killed trial's leftovers: it runs again
        Study study = new Study(o.out(), Sampler.named(o.sampler(), o.seed(), o.space(), direction),
                Pruner.named(o.pruner(), direction), direction);
        if (o.resume()) {
            log.accept(String.format(Locale.ROOT, "--resume: %d trials recorded (%s), continuing from trial %d",
                    study.trials().size(), ProgressBar.formatDuration(study.seconds()), study.trials().size()));
        }
        log.accept("searching " + String.join(", ", o.space().names()) + " for the " + direction.json().replace("imize", "imum")
                + " validation " + o.metric() + " (" + o.sampler() + " sampler, " + ("none".equals(o.pruner()) ? "no pruner" : o.pruner() + " pruner") + ")");
        int recorded = study.trials().size();
        try (ProgressBar bar = new ProgressBar("tune", Math.max(o.trials(), recorded), "trials", recorded)) {
            study.run(new TrialRun(), o.trials(), o.seconds(), (trial, best) -> {
                log.accept(TuneReport.line(trial, o.metric()));
                bar.step(1, best.map(b -> String.format(Locale.ROOT, "best %s %.4f (trial %d)", o.metric(), b.value(), b.number()))
                        .orElse("no complete trial yet"));
            });
        }
        AtomicFiles.deleteRecursively(o.out().resolve(TRIALS_DIR));
        List<Trial> trials = study.trials();
        Optional<Trial> best = study.best();
        List<String> command = best.map(b -> trainCommand(b.settings(), o.out().resolve("best-rerun"))).orElse(null);
        Map<String, Object> summary = TuneReport.write(o, direction, trials, best, command,
                (System.nanoTime() - start) / 1e9);
        return new Result(o.out(), trials, best, o.metric(), direction, command, study.seconds(), summary);
    }

    /** Refuses an existing OUT unless --overwrite (a fresh search) or --resume with the same settings. */
    private void checkOutput() throws IOException {
        Path out = o.out();
        if (o.resume()) {
            Path settings = out.resolve(SETTINGS_FILE);
            if (!Files.exists(settings)) throw new IllegalArgumentException("--resume: " + settings + " does not exist");
            Object saved = JSON.readValue(settings.toFile(), Map.class).get("fingerprint");
            if (!o.fingerprint().equals(saved)) {
                throw new IllegalArgumentException("--resume: " + out + " holds a search with other settings ("
                        + difference(String.valueOf(saved), o.fingerprint()) + ")");
            }
            return;
        }
        boolean used = Files.exists(out) && (!Files.isDirectory(out) || hasFiles(out));
        if (used && !o.overwrite()) {
            throw new IllegalArgumentException(out + " already exists (use --overwrite to replace it, or --resume to continue the search it holds)");
        }
        if (used) {
            Path dir = out.toRealPath();
            for (Path input : List.of(o.base().model(), o.base().train(), o.base().validation(), Path.of(""))) {
                if (input.toAbsolutePath().normalize().startsWith(dir) || Files.exists(input) && input.toRealPath().startsWith(dir)) {
                    throw new IllegalArgumentException("--overwrite: refusing to delete " + out + ", which holds "
                            + (input.toString().isEmpty() ? "the working directory" : input) + "; choose another --out");
                }
            }
        }
    }

    private static boolean hasFiles(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.findAny().isPresent();
        }
    }

    private static String difference(String saved, String now) {
        String[] a = saved.split("\\|"), b = now.split("\\|");
        for (int i = 0; i < Math.min(a.length, b.length); i++) if (!a[i].equals(b[i])) return "then " + a[i] + ", now " + b[i];
        return "then " + saved + ", now " + now;
    }

    private Map<String, Object> settingsRecord() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("fingerprint", o.fingerprint());
        m.put("metric", o.metric());
        m.put("direction", direction.json());
        m.put("sampler", o.sampler());
        m.put("pruner", o.pruner());
        m.put("seed", o.seed());
        m.put("space", o.space().json());
        m.put("train_flags", o.trainFlags());
        return m;
    }

    /** The `kanna train` command line of a trial's settings, writing to out. */
    List<String> trainCommand(Map<String, Object> settings, Path out) {
        List<String> command = new ArrayList<>(List.of("kanna", "train"));
        command.addAll(o.trainFlags());
        for (var e : settings.entrySet()) command.addAll(Tunable.byKey(e.getKey()).flags(e.getValue()));
        command.addAll(List.of("--out", out.toString()));
        return command;
    }

    /** The base options with a trial's settings, writing to dir, keeping one checkpoint, picking its model by the metric. */
    TrainOptions trialOptions(Map<String, Object> settings, Path dir) {
        Map<String, Object> changes = new LinkedHashMap<>();
        for (var e : settings.entrySet()) Tunable.byKey(e.getKey()).apply(changes, o.base(), e.getValue());
        changes.put("out", dir);
        changes.put("resume", false);
        changes.put("overwrite", false);
        changes.put("metricForBest", o.metric());
        if (o.base().saveTotalLimit() == 0) changes.put("saveTotalLimit", 1);
        return with(o.base(), changes);
    }

    /** A copy of the record with the named components replaced (the trials' options differ only in a few). */
    static <T extends Record> T with(T record, Map<String, Object> changes) {
        RecordComponent[] components = record.getClass().getRecordComponents();
        Object[] args = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        List<String> unknown = new ArrayList<>(changes.keySet());
        try {
            for (int i = 0; i < components.length; i++) {
                String name = components[i].getName();
                types[i] = components[i].getType();
                args[i] = changes.containsKey(name) ? changes.get(name) : field(record, name);
                unknown.remove(name);
            }
            if (!unknown.isEmpty()) throw new IllegalArgumentException(record.getClass().getSimpleName() + " has no " + unknown);
            @SuppressWarnings("unchecked")
            T copy = (T) record.getClass().getDeclaredConstructor(types).newInstance(args);
            return copy;
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot copy " + record.getClass().getSimpleName(), e);
        }
    }

    /** A record's component as stored (an accessor may return a derived default instead, as metricForBest does). */
    private static Object field(Record record, String name) throws ReflectiveOperationException {
        java.lang.reflect.Field f = record.getClass().getDeclaredField(name);
        f.setAccessible(true);
        return f.get(record);
    }

    /** One trial: a training run in OUT/trials/trial-NNNN whose epochs report to the pruner. */
    private final class TrialRun implements Study.Objective {
        @Override
        public double run(int number, Map<String, Object> settings, Study.Reporter reporter) throws Exception {
            Path dir = trialDir(number);
            AtomicFiles.deleteRecursively(dir);
            Files.createDirectories(dir.getParent());
            log.accept(String.format(Locale.ROOT, "trial %d: %s", number, TuneReport.settings(settings)));
            TrainOptions options = trialOptions(settings, dir);
            String prefix = String.format(Locale.ROOT, "trial %d: ", number);
            Trainer.Result result = new Trainer(options, trainCommand(settings, dir), line -> log.accept(prefix + line))
                    .share(shared)
                    .listen(end -> reporter.report(metric(end.validation())) ? EpochListener.Decision.STOP
                            : EpochListener.Decision.CONTINUE)
                    .run();
            return metric(result.validation());
        }

        @Override
        public void finished(Trial trial, boolean best) throws IOException {
            Path dir = trialDir(trial.number());
            if (!best || !Files.isDirectory(dir)) {
                AtomicFiles.deleteRecursively(dir);
                return;
            }
            for (Path checkpoint : Checkpoints.list(dir)) AtomicFiles.deleteRecursively(checkpoint);
            AtomicFiles.publishDirectory(dir, o.out().resolve(BEST_MODEL), true);
        }

        private double metric(Map<String, Object> figures) {
            return figures != null && figures.get(o.metric()) instanceof Number n ? n.doubleValue() : Double.NaN;
        }
    }

    private Path trialDir(int number) {
        return o.out().resolve(TRIALS_DIR).resolve(String.format(Locale.ROOT, "trial-%04d", number));
    }

    /** The encoder layers of a model directory (what unfreeze_top's "all" means). */
    public static int layers(Path model) throws IOException {
        return BertConfig.read(model.resolve("config.json")).numHiddenLayers();
    }
}
