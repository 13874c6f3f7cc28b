/*
 * Entity-level precision, recall and F1 of a sequence tagger (NER, chunking) and token accuracy,
 * with the same figures, to the last bit, as Python's seqeval in its default (conlleval) mode:
 * entities as Entities finds them, a 0/0 ratio counts as 0 (seqeval's zero_division="warn"), the
 * averages summed in numpy's order.
 */
package dev.kanna.metrics;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

public record EntityMetrics(List<TypeScores> perType, double precision, double recall, double f1,
                            double macroPrecision, double macroRecall, double macroF1,
                            double weightedPrecision, double weightedRecall, double weightedF1,
                            double accuracy, long goldEntities, long predictedEntities, long correctEntities)
        implements Metrics {

    /** The names byName knows, --metric-for-best's choices (besides loss); f1 (micro, seqeval's headline) first. */
    public static final List<String> NAMES = List.of("f1", "precision", "recall", "macro_f1", "weighted_f1", "accuracy");

    /** One entity type's figures; support is its number of gold entities. */
    public record TypeScores(String type, double precision, double recall, double f1, long support) {}

    /**
     * Scores {@code predicted} against {@code gold}, sentence by sentence (same shapes). Macro averages
     * are NaN when neither side has an entity (numpy's mean of nothing, as seqeval reports), and
     * accuracy is NaN when there are no tokens (seqeval raises ZeroDivisionError there).
     */
    public static EntityMetrics of(List<List<String>> gold, List<List<String>> predicted) {
        if (gold.size() != predicted.size()) {
            throw new IllegalArgumentException("gold has " + gold.size() + " sentences but predicted has " + predicted.size());
        }
        List<String> goldTags = new ArrayList<>(), predictedTags = new ArrayList<>();
        long tokens = 0, equal = 0;
        for (int s = 0; s < gold.size(); s++) {
            List<String> g = gold.get(s), p = predicted.get(s);
            if (g.size() != p.size()) {
                throw new IllegalArgumentException("sentence " + s + ": gold has " + g.size() + " tags but predicted has " + p.size());
            }
            for (int t = 0; t < g.size(); t++) {
                if (isEmpty(g.get(t)) || isEmpty(p.get(t))) throw new IllegalArgumentException("sentence " + s + ", token " + t + ": empty tag");
                if (g.get(t).equals(p.get(t))) equal++;
            }
            tokens += g.size();
            // seqeval chunks all sentences as one sequence with an O after each. With B, I, E, S and O
            // tags that O keeps every chunk inside its sentence; with odd ones (bare prefixes, ".",
            // unknown letters) the chunker's state runs on, and sentence by sentence would differ.
            goldTags.addAll(g);
            goldTags.add("O");
            predictedTags.addAll(p);
            predictedTags.add("O");
        }
        Map<String, Set<Entities.Span>> goldByType = byType(Entities.of(goldTags));
        Map<String, Set<Entities.Span>> predictedByType = byType(Entities.of(predictedTags));
        // Python's sorted() orders strings by code point, which String.compareTo does not beyond the BMP.
        Set<String> types = new TreeSet<>((a, b) -> Arrays.compare(a.codePoints().toArray(), b.codePoints().toArray()));
        types.addAll(goldByType.keySet());
        types.addAll(predictedByType.keySet());

        int k = types.size();
        List<TypeScores> perType = new ArrayList<>(k);
        double[] precisions = new double[k], recalls = new double[k], f1s = new double[k];
        double[] weightedP = new double[k], weightedR = new double[k], weightedF = new double[k];
        long goldSum = 0, predictedSum = 0, correctSum = 0;
        int c = 0;
        for (String type : types) {
            Set<Entities.Span> g = goldByType.getOrDefault(type, Set.of());
            Set<Entities.Span> p = predictedByType.getOrDefault(type, Set.of());
            long correct = g.stream().filter(p::contains).count();
            precisions[c] = ratio(correct, p.size());
            recalls[c] = ratio(correct, g.size());
            f1s[c] = f1(precisions[c], recalls[c]);
            weightedP[c] = precisions[c] * g.size();
            weightedR[c] = recalls[c] * g.size();
            weightedF[c] = f1s[c] * g.size();
            perType.add(new TypeScores(type, precisions[c], recalls[c], f1s[c], g.size()));
            goldSum += g.size();
            predictedSum += p.size();
            correctSum += correct;
            c++;
        }
        double microP = ratio(correctSum, predictedSum), microR = ratio(correctSum, goldSum);
        boolean noGold = goldSum == 0;   // seqeval's weighted averages are then 0, not 0/0
        return new EntityMetrics(List.copyOf(perType), microP, microR, f1(microP, microR),
                NumpySum.of(precisions) / k, NumpySum.of(recalls) / k, NumpySum.of(f1s) / k,
                noGold ? 0 : NumpySum.of(weightedP) / goldSum, noGold ? 0 : NumpySum.of(weightedR) / goldSum,
                noGold ? 0 : NumpySum.of(weightedF) / goldSum,
                tokens == 0 ? Double.NaN : (double) equal / tokens, goldSum, predictedSum, correctSum);
    }

    private static boolean isEmpty(String tag) {
        return tag == null || tag.isEmpty();
    }

    private static Map<String, Set<Entities.Span>> byType(List<Entities.Span> spans) {
        Map<String, Set<Entities.Span>> out = new HashMap<>();
        for (Entities.Span s : spans) out.computeIfAbsent(s.type(), t -> new HashSet<>()).add(s);
        return out;
    }

    private static double ratio(long a, long b) {
        return b == 0 ? 0 : (double) a / b;
    }

    @Override
    public String summary() {
        return String.format(java.util.Locale.ROOT, "entity f1 %.4f precision %.4f recall %.4f accuracy %.4f", f1,
                precision, recall, accuracy);
    }

    private static double f1(double p, double r) {
        return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    /** A metric by name: f1, precision, recall (micro), macro_f1, weighted_f1, accuracy (token). */
    @Override
    public double byName(String name) {
        return switch (name) {
            case "f1" -> f1;
            case "precision" -> precision;
            case "recall" -> recall;
            case "macro_f1" -> macroF1;
            case "weighted_f1" -> weightedF1;
            case "accuracy" -> accuracy;
            default -> throw new IllegalArgumentException("unknown metric \"" + name
                    + "\"; expected f1, precision, recall, macro_f1, weighted_f1 or accuracy");
        };
    }

    /** JSON-ready form: micro, macro and weighted figures, accuracy, per_type {type: {precision, recall, f1, support}}, counts. */
    @Override
    public Map<String, Object> toJson() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("precision", precision);
        out.put("recall", recall);
        out.put("f1", f1);
        out.put("macro_precision", macroPrecision);
        out.put("macro_recall", macroRecall);
        out.put("macro_f1", macroF1);
        out.put("weighted_precision", weightedPrecision);
        out.put("weighted_recall", weightedRecall);
        out.put("weighted_f1", weightedF1);
        out.put("accuracy", accuracy);
        Map<String, Object> types = new LinkedHashMap<>();
        for (TypeScores t : perType) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("precision", t.precision());
            m.put("recall", t.recall());
            m.put("f1", t.f1());
            m.put("support", t.support());
            types.put(t.type(), m);
        }
        out.put("per_type", types);
        out.put("gold_entities", goldEntities);
        out.put("predicted_entities", predictedEntities);
        out.put("correct_entities", correctEntities);
        return out;
    }

    /** The report with 4 decimals. */
    @Override
    public String toTable() {
        return toTable(4);
    }

    /** Character for character what seqeval's classification_report(digits=digits) prints. */
    public String toTable(int digits) {
        int width = Math.max(12, digits);   // 12: "weighted avg"
        for (TypeScores t : perType) width = Math.max(width, t.type().codePointCount(0, t.type().length()));
        StringBuilder sb = new StringBuilder();
        sb.append(pad("", width)).append(' ');
        for (String h : List.of("precision", "recall", "f1-score", "support")) sb.append(' ').append(pad(h, 9));
        sb.append("\n\n");
        for (TypeScores t : perType) row(sb, t.type(), t.precision(), t.recall(), t.f1(), t.support(), width, digits);
        sb.append('\n');
        row(sb, "micro avg", precision, recall, f1, goldEntities, width, digits);
        row(sb, "macro avg", macroPrecision, macroRecall, macroF1, goldEntities, width, digits);
        row(sb, "weighted avg", weightedPrecision, weightedRecall, weightedF1, goldEntities, width, digits);
        return sb.toString();
    }

    private static void row(StringBuilder sb, String name, double p, double r, double f, long support, int width, int digits) {
        sb.append(pad(name, width)).append(' ');
        for (double v : new double[]{p, r, f}) sb.append(' ').append(pad(decimal(v, digits), 9));
        sb.append(' ').append(pad(Long.toString(support), 9)).append('\n');
    }

    /** Python's '{:.Nf}': the exact binary value rounded half to even, whatever the default locale. */
    private static String decimal(double v, int digits) {
        if (Double.isNaN(v)) return "nan";
        return new BigDecimal(v).setScale(digits, RoundingMode.HALF_EVEN).toPlainString();
    }

    private static String pad(String s, int width) {
        int length = s.codePointCount(0, s.length());
        return length >= width ? s : " ".repeat(width - length) + s;
    }
}
