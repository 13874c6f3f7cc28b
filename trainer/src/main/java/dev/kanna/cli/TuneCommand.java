/*
 * `kanna tune`: a hyperparameter search (dev.kanna.tune.Tuner) over `kanna train` runs. Takes every
 * train option (the TrainCommand mixin); one given on the command line stays fixed in every trial,
 * and a searched setting it names leaves the space. Progress on stderr, the readable summary, then
 * the JSON summary as the last line of stdout.
 */
package dev.kanna.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kanna.trainer.ModelDirectory;
import dev.kanna.trainer.TrainOptions;
import dev.kanna.tune.SearchSpace;
import dev.kanna.tune.TuneOptions;
import dev.kanna.tune.TuneReport;
import dev.kanna.tune.Tunable;
import dev.kanna.tune.Tuner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

@Command(name = "tune",
        sortOptions = false,
        description = {
                "Search for the training settings that give the best validation metric: N training runs (trials) "
                        + "with settings from a sampler (tpe: Optuna's default tree-structured Parzen estimator, "
                        + "or random), bad trials stopped after an epoch by asynchronous successive halving (asha).",
                "Default space: lr log-uniform 1e-5..5e-4, batch_size {8, 16, 32}, epochs 1..5, unfreeze_top 1..all "
                        + "layers, warmup_ratio 0..0.2, weight_decay 0..0.1, dropout on/off, layer_lr_decay 0.7..1. "
                        + "--space FILE changes it (JSON: name → {\"type\": \"float\"|\"int\"|\"categorical\", \"low\", "
                        + "\"high\", \"log\", \"choices\"}; null stops searching a name). Every train option is "
                        + "accepted; one given stays fixed in every trial (--lr fixes lr).",
                "The trials share the tokenized data and, with --cache-frozen, the frozen-layer cache of each depth.",
                "OUT gets trials.jsonl (one line per trial: settings, metric per epoch, complete/pruned/failed, "
                        + "seconds), best.json (with the best settings as a ready `kanna train` command line), "
                        + "best-model/ (a Hugging Face directory), tune.svg and summary.json. Killed, rerun with "
                        + "--resume: it continues with the same proposals.",
                "Example: kanna tune --model models/all-MiniLM-L6-v2 --train train.jsonl.gz "
                        + "--validation validation.jsonl.gz --out runs/tune --trials 20 --time 2h"})
final class TuneCommand implements Callable<Integer> {
    /** The tune command's own options: not passed on to the trials' train command lines. */
    private static final Set<String> OWN = Set.of("--trials", "--time", "--metric", "--space", "--sampler", "--pruner",
            "--out", "--resume", "--overwrite", "--debug", "--help", "--version");
    private static final Pattern DURATION = Pattern.compile("(?:(\\d+(?:\\.\\d+)?)h)?(?:(\\d+(?:\\.\\d+)?)m)?(?:(\\d+(?:\\.\\d+)?)s?)?");

    @Mixin
    TrainCommand train;

    @Option(names = "--trials", required = true, paramLabel = "N", description = "Trials in all (a resumed search counts those recorded).")
    int trials;
    @Option(names = "--time", paramLabel = "DURATION", description = "Start no trial once the trials took this long in all, e.g. 2h, 90m, 1h30m, 600s (default: no limit).")
    String time;
    @Option(names = "--metric", paramLabel = "NAME", description = "The validation figure to optimise (default: --metric-for-best's, i.e. the task's first: macro_f1, f1, micro_f1, mse); loss is minimised.")
    String metric;
    @Option(names = "--space", paramLabel = "FILE", description = "A JSON file changing the default search space.")
    Path space;
    @Option(names = "--sampler", defaultValue = "tpe", paramLabel = "tpe|random", description = "How trials' settings are proposed (default: ${DEFAULT-VALUE}; TPE's first 10 trials are random).")
    String sampler;
    @Option(names = "--pruner", defaultValue = "asha", paramLabel = "asha|none", description = "Stop bad trials early: successive halving after epochs 1, 4, 16... keeps the top quarter (default: ${DEFAULT-VALUE}).")
    String pruner;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        TrainOptions base = train.options();
        var parsed = spec.commandLine().getParseResult();
        String objective = metric != null ? metric : base.metricForBest();
        if (metric != null) {
            var task = base.taskObject();
            if (!metric.equals("loss") && !task.metricNames().contains(metric)) {
                throw new IllegalArgumentException("--metric: " + task.name() + " has no metric '" + metric
                        + "' (expected loss, " + String.join(", ", task.metricNames()) + ")");
            }
            if (parsed.hasMatchedOption("--metric-for-best") && !metric.equals(base.metricForBest())) {
                throw new IllegalArgumentException("--metric " + metric + " and --metric-for-best " + base.metricForBest()
                        + " disagree; the search optimises --metric, and each trial keeps its best epoch by it");
            }
        }
        if (!sampler.equals("tpe") && !sampler.equals("random")) {
            throw new IllegalArgumentException("--sampler: expected tpe or random, got '" + sampler + "'");
        }
        if (!pruner.equals("asha") && !pruner.equals("none")) {
            throw new IllegalArgumentException("--pruner: expected asha or none, got '" + pruner + "'");
        }
        double seconds = time == null ? 0 : seconds(time);
        ModelDirectory.requireTrainable(base.model());
        Map<String, String> fixed = new LinkedHashMap<>();
        for (Tunable t : Tunable.values()) {
            for (String option : t.fixedBy()) if (parsed.hasMatchedOption(option)) fixed.putIfAbsent(t.key(), option);
        }
        SearchSpace searched = SearchSpace.of(space, Tuner.layers(base.model()), fixed);
        List<String> flags = trainFlags(parsed);
        if (metric != null && !parsed.hasMatchedOption("--metric-for-best")) flags.addAll(List.of("--metric-for-best", metric));
        TuneOptions options = new TuneOptions(base, train.out, searched, sampler, pruner, trials, seconds, objective,
                base.seed(), base.resume(), base.overwrite(), flags);
        var err = spec.commandLine().getErr();
        Tuner.Result result = new Tuner(options, line -> {
            err.println(line);
            err.flush();
        }).run();
        err.println(TuneReport.human(result));
        err.flush();
        spec.commandLine().getOut().println(new ObjectMapper().writeValueAsString(result.summary()));
        spec.commandLine().getOut().flush();
        return 0;
    }

    /** The train flags given on this command line, as given (values in their original text), in order. */
    private static List<String> trainFlags(picocli.CommandLine.ParseResult parsed) {
        List<String> flags = new ArrayList<>();
        for (OptionSpec option : parsed.matchedOptions()) {
            String name = option.longestName();
            if (OWN.contains(name)) continue;
            if (option.arity().max() == 0) {
                flags.add(name);
                continue;
            }
            for (String value : option.originalStringValues()) {
                flags.add(name);
                flags.add(value);
            }
        }
        return flags;
    }

    /** "2h", "90m", "1h30m", "600s", "600": seconds. */
    static double seconds(String text) {
        Matcher m = DURATION.matcher(text.trim());
        if (text.isBlank() || !m.matches() || (m.group(1) == null && m.group(2) == null && m.group(3) == null)) {
            throw new IllegalArgumentException("--time: expected a duration like 2h, 90m, 1h30m or 600s, got '" + text + "'");
        }
        double s = 0;
        if (m.group(1) != null) s += Double.parseDouble(m.group(1)) * 3600;
        if (m.group(2) != null) s += Double.parseDouble(m.group(2)) * 60;
        if (m.group(3) != null) s += Double.parseDouble(m.group(3));
        if (!(s > 0)) throw new IllegalArgumentException("--time must be > 0, got '" + text + "'");
        return s;
    }
}
