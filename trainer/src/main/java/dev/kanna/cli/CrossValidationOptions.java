/*
 * train's cross-validation options (a picocli mixin), and what a cross-validation prints: a table
 * of each fold's held-out figures with their mean ± standard deviation on stderr (and, with
 * --validation, the fold models' and their ensemble's figures on that file), the JSON of
 * metrics.json as the last line of stdout. See dev.kanna.trainer.CrossValidation.
 */
package dev.kanna.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kanna.task.Evaluation;
import dev.kanna.trainer.CrossValidation;
import dev.kanna.trainer.Ensemble;
import dev.kanna.trainer.TrainOptions;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

final class CrossValidationOptions {
    @Option(names = "--folds", paramLabel = "K", description = "Stratified K-fold cross-validation of the training data "
            + "(by class; multi-label by label-set; token classification by the entity types a sentence holds; regression "
            + "binned by value), seeded by --seed: K models in OUT/fold-1..K, each validated on its held-out fold, and their "
            + "mean ± standard deviation in OUT/metrics.json. --validation is then a held-out test every fold model "
            + "(and their ensemble) is scored on.")
    Integer folds;
    @Option(names = "--ensemble", description = "With --folds: OUT also becomes the fold models' ensemble (ensemble.json: "
            + "mean probabilities, weighted by held-out score), which evaluate, predict and logits take as one model.")
    boolean ensemble;

    /** Whether train cross-validates; --ensemble without --folds is refused. */
    boolean requested() {
        if (ensemble && folds == null) throw new IllegalArgumentException("--ensemble needs --folds K");
        if (folds != null && folds < 2) throw new IllegalArgumentException("--folds must be ≥ 2, got " + folds);
        return folds != null;
    }

    int run(CommandSpec spec, TrainOptions options) throws java.io.IOException {
        var err = spec.commandLine().getErr();
        List<String> commandLine = new ArrayList<>(List.of("kanna"));
        commandLine.addAll(spec.commandLine().getParseResult().originalArgs());
        CrossValidation.Result result = new CrossValidation(options, folds, ensemble, commandLine, line -> {
            err.println(line);
            err.flush();
        }).run();
        err.print(table(result, options.taskObject().metricNames()));
        err.flush();
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("model_dir", result.out().toString());
        summary.put("task", result.task());
        summary.putAll(result.metrics());
        spec.commandLine().getOut().println(new ObjectMapper().writeValueAsString(summary));
        spec.commandLine().getOut().flush();
        return 0;
    }

    /** The figures a table shows: loss, the metric that picked the models, then the task's first others (four at most). */
    static List<String> columns(String metric, List<String> metricNames) {
        List<String> names = new ArrayList<>(List.of("loss"));
        if (!metric.equals("loss")) names.add(metric);
        for (String name : metricNames) if (names.size() < 4 && !names.contains(name)) names.add(name);
        return names;
    }

    static String table(CrossValidation.Result r, List<String> metricNames) {
        List<String> columns = columns(r.metric(), metricNames);
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%ncross-validation: %d folds, stratified by %s (seed %s); held-out figures%n",
                r.folds().size(), r.metrics().get("stratified_by"), r.metrics().get("seed")));
        header(sb, "fold", columns);
        for (int f = 0; f < r.folds().size(); f++) row(sb, "fold-" + (f + 1), r.folds().get(f).validation(), columns);
        meanRow(sb, r.mean(), r.std(), columns);
        if (r.onValidationFile() != null) {
            sb.append(String.format(Locale.ROOT, "%non %s (%d rows)%n", r.metrics().get("validation_file") instanceof Map<?, ?> m
                    ? m.get("path") : "", r.onValidationFile().evaluation().rows()));
            header(sb, "model", columns);
            List<Map<String, Object>> each = new ArrayList<>();
            for (Ensemble.MemberEvaluation m : r.onValidationFile().members()) {
                Map<String, Object> figures = CrossValidation.figures(m.evaluation());
                each.add(figures);
                row(sb, m.name(), figures, columns);
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> onFile = (Map<String, Object>) r.metrics().get("validation_file");
            @SuppressWarnings("unchecked")
            Map<String, Double> mean = (Map<String, Double>) onFile.get("mean"), std = (Map<String, Double>) onFile.get("std");
            meanRow(sb, mean, std, columns);
            Evaluation e = r.onValidationFile().evaluation();
            row(sb, "ensemble", CrossValidation.figures(e), columns);
        }
        sb.append("fold models in ").append(r.out()).append("/fold-1..").append(r.folds().size());
        if (r.metrics().containsKey("ensemble")) sb.append("; their ensemble: ").append(r.out());
        sb.append('\n');
        return sb.toString();
    }

    private static void header(StringBuilder sb, String first, List<String> columns) {
        sb.append(String.format(Locale.ROOT, "%-10s", first));
        for (String c : columns) sb.append(String.format(Locale.ROOT, "  %17s", c));
        sb.append('\n');
    }

    private static void row(StringBuilder sb, String name, Map<String, Object> figures, List<String> columns) {
        sb.append(String.format(Locale.ROOT, "%-10s", name));
        for (String c : columns) {
            sb.append(figures.get(c) instanceof Number n ? String.format(Locale.ROOT, "  %17.4f", n.doubleValue())
                    : String.format(Locale.ROOT, "  %17s", "-"));
        }
        sb.append('\n');
    }

    private static void meanRow(StringBuilder sb, Map<String, Double> mean, Map<String, Double> std, List<String> columns) {
        sb.append(String.format(Locale.ROOT, "%-10s", "mean ± sd"));
        for (String c : columns) {
            sb.append(mean.containsKey(c) ? String.format(Locale.ROOT, "  %8.4f ± %6.4f", mean.get(c), std.get(c))
                    : String.format(Locale.ROOT, "  %17s", "-"));
        }
        sb.append('\n');
    }
}
