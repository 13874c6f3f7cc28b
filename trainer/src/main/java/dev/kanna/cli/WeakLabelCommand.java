/*
 * `kanna weak-label`: an expert's labelling rules (dev.kanna.weak.LabelingRules) applied to
 * unlabelled domain text; the texts the rules label by majority become a labelled JSONL file that
 * train reads (as --train, or as related-domain data with --aux-train). The report on stderr, and
 * as one JSON object, the last line of stdout.
 */
package dev.kanna.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kanna.data.DatasetReader;
import dev.kanna.data.Example;
import dev.kanna.data.TextCorpus;
import dev.kanna.io.AtomicFiles;
import dev.kanna.report.ProgressBar;
import dev.kanna.weak.LabelingRules;
import dev.kanna.weak.WeakLabels;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.zip.GZIPOutputStream;

@Command(name = "weak-label",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
                "Label unlabelled domain text with an expert's rules: a file of label<TAB>regex lines (Java regex, found "
                        + "anywhere in the text; (?i) for any case; # comments). File order is precedence: a rule labelled "
                        + "ABSTAIN that fires silences the rules below it for that text.",
                "Each text gets the label most of its voting rules give; texts no rule votes for, and ties, are left out.",
                "OUT: JSONL rows {\"text\", \"label\", \"line\" (of --data), \"rules\" (the lines of the rules that voted for the "
                        + "label)}, for train --train or --aux-train. The report (coverage, conflicts, per-rule firing and, with "
                        + "--sample, accuracy) on stderr and as JSON on stdout.",
                "Example: kanna weak-label --rules spam-rules.tsv --data unlabelled.txt --sample "
                        + "datasets/spamassassin/validation.jsonl.gz --out weak.jsonl"})
final class WeakLabelCommand implements Callable<Integer> {
    @Option(names = "--rules", required = true, paramLabel = "FILE", description = "The rules: label<TAB>regex per line.")
    Path rules;
    @Option(names = "--data", required = true, paramLabel = "FILE", description = "Unlabelled text: one text per line, or JSONL with --text-field (optionally .gz).")
    Path data;
    @Option(names = "--out", required = true, paramLabel = "FILE", description = "The weakly labelled rows, JSONL (.gz: gzipped); must not exist unless --overwrite.")
    Path out;
    @Option(names = "--sample", paramLabel = "FILE", description = "Labelled data (JSONL, CSV or TSV, as train reads it) to measure each rule's accuracy on.")
    Path sample;
    @Option(names = "--text-field", defaultValue = "text", paramLabel = "NAME", description = "The text's field in JSONL --data, --sample and OUT (default: ${DEFAULT-VALUE}).")
    String textField;
    @Option(names = "--label-field", defaultValue = "label", paramLabel = "NAME", description = "The label's field in --sample and OUT (default: ${DEFAULT-VALUE}).")
    String labelField;
    @Option(names = "--overwrite", description = "Replace OUT if it exists.")
    boolean overwrite;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (Files.exists(out) && !overwrite) throw new IllegalArgumentException(out + " already exists (use --overwrite to replace it)");
        if (Files.isDirectory(out)) throw new IllegalArgumentException(out + " is a directory; --out names a file");
        LabelingRules labelingRules = LabelingRules.read(rules);
        WeakLabels weak = new WeakLabels(labelingRules);
        List<Example> sampleRows = sample == null ? null
                : DatasetReader.read(sample, new DatasetReader.Fields(textField, null, labelField));
        List<Example> texts = TextCorpus.read(data, TextCorpus.isJsonl(data) ? textField : null);

        List<WeakLabels.Verdict> verdicts = new ArrayList<>(texts.size());
        try (ProgressBar bar = new ProgressBar("weak-label", texts.size(), "texts")) {
            for (Example text : texts) {
                verdicts.add(weak.judge(text.text()));
                bar.step(1, "");
            }
        }
        WeakLabels.Report report = weak.report(verdicts, sampleRows);
        writeRows(texts, verdicts, labelingRules);

        PrintWriter err = spec.commandLine().getErr();
        err.print(humanReport(report));
        err.println(String.format(Locale.ROOT, "wrote %,d rows to %s", report.labelled(), out));
        err.flush();
        spec.commandLine().getOut().println(new ObjectMapper().writeValueAsString(json(report)));
        spec.commandLine().getOut().flush();
        return 0;
    }

    /** The labelled texts as JSONL, written to a temporary file and renamed into place. */
    private void writeRows(List<Example> texts, List<WeakLabels.Verdict> verdicts, LabelingRules labelingRules)
            throws IOException {
        ObjectMapper json = new ObjectMapper();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream sink = out.getFileName().toString().endsWith(".gz") ? new GZIPOutputStream(bytes) : bytes) {
            for (int i = 0; i < texts.size(); i++) {
                WeakLabels.Verdict v = verdicts.get(i);
                if (v.label() == null) continue;
                List<Long> voters = new ArrayList<>();
                for (int r = 0; r < v.voted().length; r++) {
                    if (v.voted()[r] && labelingRules.rules().get(r).label().equals(v.label())) voters.add(labelingRules.rules().get(r).line());
                }
                Map<String, Object> row = new LinkedHashMap<>();
                row.put(textField, texts.get(i).text());
                row.put(labelField, v.label());
                row.put("line", texts.get(i).line());
                row.put("rules", voters);
                sink.write((json.writeValueAsString(row) + "\n").getBytes(StandardCharsets.UTF_8));
            }
        }
        AtomicFiles.write(out, channel -> AtomicFiles.writeFully(channel, ByteBuffer.wrap(bytes.toByteArray())));
    }

    static String humanReport(WeakLabels.Report r) {
        StringBuilder sb = new StringBuilder();
        List<String> labels = new ArrayList<>();
        r.byLabel().forEach((label, n) -> labels.add(String.format(Locale.ROOT, "%s %,d", label, n)));
        sb.append(String.format(Locale.ROOT, "labelled %,d of %,d texts (coverage %.1f%%)%s%n", r.labelled(), r.rows(),
                100 * r.coverage(), labels.isEmpty() ? "" : ": " + String.join(", ", labels)));
        sb.append(String.format(Locale.ROOT, "left out: %,d no rule fired, %,d silenced by ABSTAIN, %,d ties; rules"
                        + " disagree on %,d texts (conflict rate %.1f%%)%n", r.outcomes().get(WeakLabels.Outcome.NONE_FIRED),
                r.outcomes().get(WeakLabels.Outcome.ABSTAINED), r.outcomes().get(WeakLabels.Outcome.TIE), r.conflicts(),
                100 * r.conflictRate()));
        int width = 5;
        for (WeakLabels.RuleCounts c : r.rules()) width = Math.max(width, c.rule().label().length());
        String row = "  %5s  %-" + width + "s  %7s  %8s  %9s  %15s  %s%n";
        sb.append(String.format(Locale.ROOT, row, "line", "label", "fires", "coverage", "conflicts",
                r.sample() == null ? "" : "sample accuracy", "regex"));
        for (WeakLabels.RuleCounts c : r.rules()) {
            String accuracy = r.sample() == null ? "" : c.rule().abstains() ? "-"
                    : Double.isNaN(c.sampleAccuracy()) ? "(fires on none)"
                    : String.format(Locale.ROOT, "%.3f of %d", c.sampleAccuracy(), c.sampleFires());
            sb.append(String.format(Locale.ROOT, row, c.rule().line(), c.rule().label(), String.format(Locale.ROOT, "%,d", c.fires()),
                    String.format(Locale.ROOT, "%.1f%%", 100.0 * c.fires() / r.rows()), String.format(Locale.ROOT, "%,d", c.conflicts()),
                    accuracy, c.rule().pattern().pattern()));
        }
        if (r.sample() != null) {
            WeakLabels.SampleCounts s = r.sample();
            sb.append(String.format(Locale.ROOT, "on the sample: %,d of %,d rows labelled (coverage %.1f%%), accuracy %s%n",
                    s.labelled(), s.rows(), 100 * s.coverage(),
                    s.labelled() == 0 ? "-" : String.format(Locale.ROOT, "%.3f", s.accuracy())));
        }
        return sb.toString();
    }

    static Map<String, Object> json(WeakLabels.Report r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rows", r.rows());
        m.put("labelled", r.labelled());
        m.put("coverage", r.coverage());
        m.put("by_label", r.byLabel());
        m.put("none_fired", r.outcomes().get(WeakLabels.Outcome.NONE_FIRED));
        m.put("abstained", r.outcomes().get(WeakLabels.Outcome.ABSTAINED));
        m.put("ties", r.outcomes().get(WeakLabels.Outcome.TIE));
        m.put("conflicts", r.conflicts());
        m.put("conflict_rate", r.conflictRate());
        List<Map<String, Object>> rules = new ArrayList<>();
        for (WeakLabels.RuleCounts c : r.rules()) {
            Map<String, Object> rule = new LinkedHashMap<>();
            rule.put("line", c.rule().line());
            rule.put("label", c.rule().label());
            rule.put("regex", c.rule().pattern().pattern());
            rule.put("fires", c.fires());
            rule.put("coverage", (double) c.fires() / r.rows());
            rule.put("votes", c.votes());
            rule.put("conflicts", c.conflicts());
            if (r.sample() != null) {
                rule.put("sample_fires", c.sampleFires());
                rule.put("sample_accuracy", Double.isNaN(c.sampleAccuracy()) ? null : c.sampleAccuracy());
            }
            rules.add(rule);
        }
        m.put("rules", rules);
        if (r.sample() != null) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("rows", r.sample().rows());
            s.put("labelled", r.sample().labelled());
            s.put("coverage", r.sample().coverage());
            s.put("accuracy", r.sample().labelled() == 0 ? null : r.sample().accuracy());
            m.put("sample", s);
        }
        return m;
    }
}
