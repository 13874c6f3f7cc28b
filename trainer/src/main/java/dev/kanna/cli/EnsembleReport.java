/*
 * An ensemble's evaluation beside its members' (evaluate on an ensemble directory): a table with
 * one row per member and one for the ensemble, and the members' figures as JSON.
 */
package dev.kanna.cli;

import dev.kanna.task.Evaluation;
import dev.kanna.trainer.Ensemble;
import dev.kanna.trainer.FineTunedModel;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

final class EnsembleReport {
    private EnsembleReport() {
    }

    /** Rows: each member, then the ensemble; columns: weight, loss, the task's figures. */
    static String table(FineTunedModel.Report report, List<String> metricNames) {
        int width = "ensemble".length();
        for (Ensemble.MemberEvaluation m : report.members()) width = Math.max(width, m.name().length());
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%nmembers and ensemble%n%-" + width + "s  %7s  %8s",
                "model", "weight", "loss"));
        for (String name : metricNames) sb.append(String.format(Locale.ROOT, "  %" + Math.max(8, name.length()) + "s", name));
        sb.append('\n');
        for (Ensemble.MemberEvaluation m : report.members()) {
            row(sb, width, m.name(), String.format(Locale.ROOT, "%7.4f", m.weight()), m.evaluation(), metricNames);
        }
        row(sb, width, "ensemble", String.format(Locale.ROOT, "%7s", ""), report.evaluation(), metricNames);
        return sb.toString();
    }

    private static void row(StringBuilder sb, int width, String name, String weight, Evaluation e, List<String> metricNames) {
        sb.append(String.format(Locale.ROOT, "%-" + width + "s  %s  %8.4f", name, weight, e.loss()));
        for (String metric : metricNames) {
            sb.append(String.format(Locale.ROOT, "  %" + Math.max(8, metric.length()) + ".4f", e.metrics().byName(metric)));
        }
        sb.append('\n');
    }

    /** Each member's name, weight, loss and figures, in order. */
    static List<Map<String, Object>> json(List<Ensemble.MemberEvaluation> members) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Ensemble.MemberEvaluation m : members) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("model", m.name());
            e.put("weight", m.weight());
            e.put("loss", m.evaluation().loss());
            e.putAll(m.evaluation().metrics().toJson());
            out.add(e);
        }
        return out;
    }
}
