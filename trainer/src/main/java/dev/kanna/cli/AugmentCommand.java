/*
 * `kanna augment`: new labelled rows from a dataset (see dev.kanna.task.FileAugmentation): EDA for
 * text tasks, mention and synonym replacement for token classification. A summary line on stderr;
 * the same as one JSON object, the last line of stdout.
 */
package dev.kanna.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kanna.augment.AugmentSettings;
import dev.kanna.augment.Operation;
import dev.kanna.task.DataOptions;
import dev.kanna.task.FileAugmentation;
import dev.kanna.task.Tasks;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "augment",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
                "Write a dataset's rows followed by N new rows made from each, labels kept: Easy Data Augmentation "
                        + "(Wei & Zou 2019) for text tasks (synonym replacement, random insertion of a synonym, random swap "
                        + "of words, or of sentences in a text of several, random deletion, each at rate --alpha); mention "
                        + "replacement and synonym replacement outside mentions (Dai & Adel 2020) for token classification.",
                "Synonyms come from a domain lexicon (--lexicon) and/or WordNet (--wordnet); stop words and --protect "
                        + "terms are never replaced. Without synonyms, the operations that need them are left out.",
                "OUT has the format of the data (JSONL, CSV, TSV or CoNLL, .gz when its name says so), every other "
                        + "field kept; each new row carries augmented_from, the 0-based index of its source row "
                        + "(CoNLL: by position, N per sentence after the originals).",
                "Example: kanna augment --data train.jsonl --out train-eda.jsonl --n 4 --lexicon medical-synonyms.tsv --wordnet"})
final class AugmentCommand implements Callable<Integer> {

    @Option(names = "--data", required = true, paramLabel = "FILE", description = "Labelled data, as train reads it.")
    Path data;
    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where the rows and the new rows go (must not exist, unless --overwrite).")
    Path out;
    @Option(names = "--task", defaultValue = "sequence-classification", paramLabel = "TASK", description = "How the data is read: sequence-classification, multi-label, regression (text), token-classification (tagged sentences) (default: ${DEFAULT-VALUE}).")
    String task;
    @Option(names = "--n", defaultValue = "4", paramLabel = "N", description = "New rows per row (default: ${DEFAULT-VALUE}).")
    int copies;
    @Option(names = "--alpha", defaultValue = "0.1", paramLabel = "A", description = "Rate of change in (0, 1]: EDA's share of words replaced, inserted and swapped, and the probability of deleting a word; token classification: the probability of replacing a mention or a word (default: ${DEFAULT-VALUE}).")
    double alpha;
    @Option(names = "--ops", paramLabel = "OPS", description = "Operations, separated by commas: synonym, insert, swap, delete (text; default all four) or mention, synonym (token classification; default both).")
    String ops;
    @Mixin
    SynonymOptions synonyms;
    @Option(names = "--seed", defaultValue = "42", paramLabel = "N", description = "Seed of the draws; train --augment with the same seed trains on these new rows in its first epoch (default: ${DEFAULT-VALUE}).")
    long seed;
    @Mixin
    FieldOptions fields;
    @Mixin
    TaskOptions taskOptions;
    @Option(names = "--overwrite", description = "Replace OUT if it exists.")
    boolean overwrite;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        var chosen = Tasks.named(task);
        TrainingOptions.atLeast("--n", copies, 1);
        if (!(alpha > 0 && alpha <= 1)) throw new IllegalArgumentException("--alpha must be in (0, 1], got " + alpha);
        AugmentSettings settings = new AugmentSettings(copies, alpha, ops == null ? null : Operation.parse("--ops", ops),
                synonyms.lexicon, synonyms.protect, synonyms.wordnet);
        DataOptions dataOptions = new DataOptions(fields.fields(), taskOptions.tagFields(), 128, 32, false, taskOptions.scheme());
        PrintWriter err = spec.commandLine().getErr();
        FileAugmentation.Result r = FileAugmentation.run(chosen,
                new FileAugmentation.Options(data, out, dataOptions, settings, seed, overwrite), line -> {
                    err.println(line);
                    err.flush();
                });
        err.println(String.format(Locale.ROOT, "wrote %,d rows to %s: the %,d rows, then %,d new ones (%,d the same as their"
                + " source) in %.1f s", r.rows() + r.added(), r.out(), r.rows(), r.added(), r.unchanged(), r.seconds()));
        err.flush();
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("out", r.out().toString());
        s.put("rows", r.rows());
        s.put("added", r.added());
        s.put("unchanged", r.unchanged());
        s.put("augmenter", r.description());
        s.put("seconds", Math.round(r.seconds() * 100) / 100.0);
        spec.commandLine().getOut().println(new ObjectMapper().writeValueAsString(s));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
