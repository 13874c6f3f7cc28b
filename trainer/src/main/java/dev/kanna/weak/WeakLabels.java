/*
 * Labelling rules applied to texts (`kanna weak-label`): each text gets the label most of its voting
 * rules give. A rule votes when its regex is found in the text and no ABSTAIN rule above it fired.
 * Left out: texts no rule votes for (none fired, or an ABSTAIN rule silenced those that did) and
 * ties (two or more labels with the most votes: the rules conflict with nothing to decide it, and a
 * weak label is worth keeping only when it is likely right). A conflict is any text whose voters
 * disagree, decided by majority or left out as a tie.
 *
 * The report: coverage (texts labelled / texts), conflicts, and per rule how often it fires and
 * conflicts, and, on a labelled sample, how often the label it gives is the right one (its accuracy
 * over the sample texts it fires on, ABSTAIN rules excepted) and how accurate the weak labels are.
 */
package dev.kanna.weak;

import dev.kanna.data.Example;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

public final class WeakLabels {

    /** How a text came out. */
    public enum Outcome { LABELLED, NONE_FIRED, ABSTAINED, TIE }

    /**
     * What the rules say about one text.
     *
     * @param label  the majority label; null when left out
     * @param fired  per rule (file order): its regex was found in the text
     * @param voted  per rule: it fired and no ABSTAIN rule above it did
     * @param conflict whether the voters name more than one label
     */
    public record Verdict(Outcome outcome, String label, boolean[] fired, boolean[] voted, boolean conflict) {
    }

    /** Per rule: fires (texts its regex is found in), votes, conflicts (votes against another voter's label). */
    public record RuleCounts(LabelingRules.Rule rule, long fires, long votes, long conflicts, long sampleFires,
                             long sampleCorrect) {
        /** Its accuracy on the sample texts it fires on; NaN when it fires on none or abstains. */
        public double sampleAccuracy() {
            return rule.abstains() || sampleFires == 0 ? Double.NaN : (double) sampleCorrect / sampleFires;
        }
    }

    /** The weak labels' own figures on the labelled sample: how many they label, and how many of those rightly. */
    public record SampleCounts(long rows, long labelled, long correct) {
        public double coverage() {
            return rows == 0 ? Double.NaN : (double) labelled / rows;
        }

        public double accuracy() {
            return labelled == 0 ? Double.NaN : (double) correct / labelled;
        }
    }

    /** The whole run: per outcome and label counts, per rule counts, and the sample's (null without one). */
    public record Report(long rows, Map<Outcome, Long> outcomes, long conflicts, Map<String, Long> byLabel,
                         List<RuleCounts> rules, SampleCounts sample) {
        public long labelled() {
            return outcomes.getOrDefault(Outcome.LABELLED, 0L);
        }

        public double coverage() {
            return (double) labelled() / rows;
        }

        public double conflictRate() {
            return (double) conflicts / rows;
        }
    }

    private final LabelingRules rules;

    public WeakLabels(LabelingRules rules) {
        this.rules = rules;
    }

    /** The rules' verdict on one text. */
    public Verdict judge(String text) {
        List<LabelingRules.Rule> list = rules.rules();
        boolean[] fired = new boolean[list.size()], voted = new boolean[list.size()];
        boolean silenced = false, abstained = false;
        Map<String, Integer> votes = new LinkedHashMap<>();
        for (int i = 0; i < list.size(); i++) {
            LabelingRules.Rule rule = list.get(i);
            fired[i] = rule.fires(text);
            if (!fired[i] || silenced) continue;
            if (rule.abstains()) {
                silenced = abstained = true;
                continue;
            }
            voted[i] = true;
            votes.merge(rule.label(), 1, Integer::sum);
        }
        if (votes.isEmpty()) return new Verdict(abstained ? Outcome.ABSTAINED : Outcome.NONE_FIRED, null, fired, voted, false);
        int most = votes.values().stream().mapToInt(Integer::intValue).max().orElseThrow();
        List<String> leaders = votes.entrySet().stream().filter(e -> e.getValue() == most).map(Map.Entry::getKey).toList();
        boolean conflict = votes.size() > 1;
        return leaders.size() > 1 ? new Verdict(Outcome.TIE, null, fired, voted, conflict)
                : new Verdict(Outcome.LABELLED, leaders.getFirst(), fired, voted, conflict);
    }

    /** Counts the verdicts on the texts, and judges the labelled sample's rows (null: no sample). */
    public Report report(List<Verdict> verdicts, List<Example> sample) {
        List<LabelingRules.Rule> list = rules.rules();
        long[] fires = new long[list.size()], votes = new long[list.size()], conflicts = new long[list.size()];
        long[] sampleFires = new long[list.size()], sampleCorrect = new long[list.size()];
        Map<Outcome, Long> outcomes = new LinkedHashMap<>();
        for (Outcome o : Outcome.values()) outcomes.put(o, 0L);
        Map<String, Long> byLabel = new TreeMap<>();
        long conflicted = 0;
        for (Verdict v : verdicts) {
            outcomes.merge(v.outcome(), 1L, Long::sum);
            if (v.label() != null) byLabel.merge(v.label(), 1L, Long::sum);
            if (v.conflict()) conflicted++;
            for (int i = 0; i < list.size(); i++) {
                if (v.fired()[i]) fires[i]++;
                if (!v.voted()[i]) continue;
                votes[i]++;
                for (int j = 0; j < list.size(); j++) {
                    if (v.voted()[j] && !list.get(j).label().equals(list.get(i).label())) {
                        conflicts[i]++;
                        break;
                    }
                }
            }
        }
        SampleCounts sampleCounts = null;
        if (sample != null) {
            long labelled = 0, correct = 0;
            for (Example row : sample) {
                Verdict v = judge(row.text());
                for (int i = 0; i < list.size(); i++) {
                    if (!v.fired()[i]) continue;
                    sampleFires[i]++;
                    if (list.get(i).label().equals(row.label())) sampleCorrect[i]++;
                }
                if (v.label() != null) {
                    labelled++;
                    if (v.label().equals(row.label())) correct++;
                }
            }
            sampleCounts = new SampleCounts(sample.size(), labelled, correct);
        }
        List<RuleCounts> perRule = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            perRule.add(new RuleCounts(list.get(i), fires[i], votes[i], conflicts[i], sampleFires[i], sampleCorrect[i]));
        }
        return new Report(verdicts.size(), outcomes, conflicted, byLabel, perRule, sampleCounts);
    }
}
