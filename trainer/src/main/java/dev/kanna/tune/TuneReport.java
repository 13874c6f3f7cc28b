/*
 * What a search tells its user: one log line per trial as it ends, and at the end best.json (the
 * best complete trial: settings, value, per-epoch metric, the ready `kanna train` command line and
 * the model's directory), tune.svg, summary.json (the JSON summary the command also prints) and the
 * readable summary.
 */
package dev.kanna.tune;

import dev.kanna.io.AtomicFiles;
import dev.kanna.report.ProgressBar;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

public final class TuneReport {
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./=:,+@%-]+");

    private TuneReport() {
    }

    /** "lr 3.2e-05, batch_size 16, ..." */
    static String settings(Map<String, Object> settings) {
        List<String> parts = new ArrayList<>();
        settings.forEach((k, v) -> parts.add(k + " " + (v instanceof Double d ? String.format(Locale.ROOT, "%.4g", d) : v)));
        return String.join(", ", parts);
    }

    /** A finished trial in one line: "trial 3 complete in 00:42: macro_f1 0.8123 (epochs 0.7100 0.8123)". */
    static String line(Trial t, String metric) {
        String epochs = t.epochValues().isEmpty() ? "" : " (epochs " + String.join(" ", t.epochValues().stream()
                .map(v -> String.format(Locale.ROOT, "%.4f", v)).toList()) + ")";
        String outcome = switch (t.state()) {
            case COMPLETE -> String.format(Locale.ROOT, "%s %.4f", metric, t.value()) + epochs;
            case PRUNED -> "pruned after epoch " + t.epochValues().size() + epochs;
            case FAILED -> t.reason();
        };
        return String.format(Locale.ROOT, "trial %d %s in %s: %s", t.number(), t.state().json(),
                ProgressBar.formatDuration(t.seconds()), outcome);
    }

    /** Writes best.json (when a trial completed), tune.svg and summary.json; returns the summary. */
    static Map<String, Object> write(TuneOptions o, Direction direction, List<Trial> trials, Optional<Trial> best,
                                     List<String> command, double wallSeconds) throws IOException {
        var out = o.out();
        if (best.isPresent()) {
            Trial b = best.get();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("trial", b.number());
            m.put("metric", o.metric());
            m.put("value", b.value());
            m.put("settings", b.settings());
            m.put("epoch_values", b.json().get("epoch_values"));
            m.put("command_line", command);
            m.put("command", shell(command));
            m.put("model_dir", out.resolve(Tuner.BEST_MODEL).toString());
            AtomicFiles.writeString(out.resolve(Tuner.BEST_FILE), Tuner.JSON.writeValueAsString(m));
        }
        AtomicFiles.writeString(out.resolve(Tuner.PLOT_FILE), TunePlot.render("kanna tune: " + o.base().model().getFileName()
                + " on " + o.base().train().getFileName(), o.metric(), direction, trials, o.space()));

        Map<String, Object> s = new LinkedHashMap<>();
        s.put("out", out.toString());
        s.put("metric", o.metric());
        s.put("direction", direction.json());
        s.put("sampler", o.sampler());
        s.put("pruner", o.pruner());
        s.put("trials", trials.size());
        for (Trial.State state : Trial.State.values()) {
            s.put(state.json(), trials.stream().filter(t -> t.state() == state).count());
        }
        s.put("best_trial", best.map(Trial::number).orElse(null));
        s.put("best_value", best.map(Trial::value).orElse(null));
        s.put("best_settings", best.map(Trial::settings).orElse(null));
        s.put("best_model", best.isPresent() ? out.resolve(Tuner.BEST_MODEL).toString() : null);
        s.put("best_command", command == null ? null : shell(command));
        s.put("epochs_trained", trials.stream().mapToInt(t -> t.epochValues().size()).sum());
        s.put("trial_seconds", trials.stream().mapToDouble(Trial::seconds).sum());
        s.put("wall_seconds", wallSeconds);
        AtomicFiles.writeString(out.resolve(Tuner.SUMMARY_FILE), Tuner.JSON.writeValueAsString(s));
        return s;
    }

    /** The readable summary: counts, time, the best trial and its command line. */
    public static String human(Tuner.Result r) {
        StringBuilder sb = new StringBuilder();
        long complete = count(r, Trial.State.COMPLETE), pruned = count(r, Trial.State.PRUNED), failed = count(r, Trial.State.FAILED);
        sb.append(String.format(Locale.ROOT, "%d trials (%d complete, %d pruned, %d failed) in %s of training%n",
                r.trials().size(), complete, pruned, failed, ProgressBar.formatDuration(r.seconds())));
        if (r.best().isEmpty()) {
            sb.append("no trial completed, so there is no best model; see ").append(r.out().resolve(Study.TRIALS_FILE));
            return sb.toString();
        }
        Trial b = r.best().get();
        sb.append(String.format(Locale.ROOT, "best: trial %d, validation %s %.4f: %s%n", b.number(), r.metric(), b.value(),
                settings(b.settings())));
        sb.append("model saved to ").append(r.out().resolve(Tuner.BEST_MODEL)).append(System.lineSeparator());
        sb.append("to train it again: ").append(shell(r.bestCommandLine()));
        return sb.toString();
    }

    private static long count(Tuner.Result r, Trial.State state) {
        return r.trials().stream().filter(t -> t.state() == state).count();
    }

    /** A command line a POSIX shell reads back as these words. */
    static String shell(List<String> words) {
        List<String> quoted = new ArrayList<>();
        for (String w : words) quoted.add(PLAIN.matcher(w).matches() ? w : "'" + w.replace("'", "'\\''") + "'");
        return String.join(" ", quoted);
    }
}
