/*
 * train's options for when target-domain labels are scarce (a picocli mixin): labelled data from a
 * related domain mixed into every batch (--aux-train), and self-training on unlabelled domain text
 * (--unlabeled, --self-training). Kept apart from TrainCommand so that command stays a list of flags.
 */
package dev.kanna.cli;

import dev.kanna.trainer.AuxiliaryData;
import dev.kanna.trainer.SelfTraining;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kanna.trainer.TrainOptions;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

final class ScarceDataOptions {
    @Option(names = "--aux-train", paramLabel = "FILE", description = "Labelled data from a related domain (same format and fields as --train), mixed into every batch at the share --aux-weight; the epoch is one pass over the --train rows, validation uses the target data only.")
    Path auxTrain;
    @Option(names = "--aux-weight", paramLabel = "W", description = "The share of every batch's rows drawn from --aux-train, in (0, 1) (default: 0.3).")
    Double auxWeight;
    @Option(names = "--aux-label-map", paramLabel = "FILE", description = "Maps --aux-train's labels onto the target's: lines of aux label<TAB>target label; labels it does not name must already be target labels.")
    Path auxLabelMap;

    @Option(names = "--unlabeled", paramLabel = "FILE", description = "Unlabelled domain text for --self-training: one text per line, or JSONL with the --text-field (optionally .gz).")
    Path unlabeled;
    @Option(names = "--self-training", paramLabel = "ROUNDS", description = "Self-training rounds after round 0 (which trains on the labelled data): each labels --unlabeled with the previous round's model, keeps the confident predictions in the labelled data's class shares, and trains again from --model on both. Needs --validation; the best round's model is saved.")
    Integer selfTrainingRounds;
    @Option(names = "--confidence", paramLabel = "P", description = "Self-training: keep a prediction only when its probability is at least P, in (0, 1) (default: 0.9).")
    Double confidence;

    /** The related-domain data, or null; values checked before any data is read. */
    AuxiliaryData aux() {
        if (auxTrain == null) {
            if (auxWeight != null) throw new IllegalArgumentException("--aux-weight needs --aux-train FILE");
            if (auxLabelMap != null) throw new IllegalArgumentException("--aux-label-map needs --aux-train FILE");
            return null;
        }
        return new AuxiliaryData(auxTrain, auxWeight != null ? auxWeight : AuxiliaryData.DEFAULT_WEIGHT, auxLabelMap);
    }

    /** The self-training settings, or null when --self-training is not given. */
    SelfTraining.Settings selfTraining() {
        if (selfTrainingRounds == null) {
            if (unlabeled != null) throw new IllegalArgumentException("--unlabeled needs --self-training ROUNDS");
            if (confidence != null) throw new IllegalArgumentException("--confidence needs --self-training ROUNDS");
            return null;
        }
        if (unlabeled == null) throw new IllegalArgumentException("--self-training needs the unlabelled text: --unlabeled FILE");
        return new SelfTraining.Settings(unlabeled, selfTrainingRounds,
                confidence != null ? confidence : SelfTraining.DEFAULT_CONFIDENCE);
    }

    /**
     * train with --self-training: the rounds' progress and log lines on stderr, then a table of the
     * rounds, then the JSON summary as the last line of stdout (as a plain train run ends).
     */
    int runSelfTraining(CommandSpec spec, TrainOptions options, SelfTraining.Settings settings) throws IOException {
        var err = spec.commandLine().getErr();
        List<String> commandLine = new ArrayList<>(List.of("kanna"));
        commandLine.addAll(spec.commandLine().getParseResult().originalArgs());
        SelfTraining.Result result = new SelfTraining(options, settings, commandLine, line -> {
            err.println(line);
            err.flush();
        }).run();
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("model_dir", result.out().toString());
        summary.put("task", options.task());
        summary.put("best_round", result.bestRound());
        summary.put(result.metric(), result.best().metric());
        summary.put("validation", result.best().validation());
        List<Map<String, Object>> rounds = new ArrayList<>();
        err.println(String.format(Locale.ROOT, "  round  pseudo-labels  %s", result.metric()));
        for (SelfTraining.Round r : result.rounds()) {
            long kept = r.kept().values().stream().mapToLong(Long::longValue).sum();
            err.println(String.format(Locale.ROOT, "  %5d  %13d  %.4f%s", r.round(), kept, r.metric(),
                    r.round() == result.bestRound() ? "  (best)" : ""));
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("round", r.round());
            m.put("pseudo_labels", kept);
            m.put(result.metric(), r.metric());
            rounds.add(m);
        }
        summary.put("rounds", rounds);
        err.println("model of round " + result.bestRound() + " saved to " + result.out());
        err.flush();
        spec.commandLine().getOut().println(new ObjectMapper().writeValueAsString(summary));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
