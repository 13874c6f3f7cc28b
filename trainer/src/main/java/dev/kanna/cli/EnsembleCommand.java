/*
 * `kanna ensemble`: combines fine-tuned models of one task into an ensemble directory (ensemble.json,
 * see EnsembleManifest) that evaluate, predict and logits take like a single model. The members are
 * checked (one task, one label set, one tokenizer) and weighted now; nothing is written unless all pass.
 */
package dev.kanna.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kanna.io.AtomicFiles;
import dev.kanna.trainer.EnsembleManifest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "ensemble",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
                "Combine fine-tuned models of one task into an ensemble directory, which evaluate, predict and logits "
                        + "take like a single model (evaluate also reports each member beside the ensemble).",
                "The directory holds ensemble.json: the members (paths relative to it where possible), the method and "
                        + "the weights. Members must share the task, the labels and the tokenizer; each runs in turn on "
                        + "one device over inputs tokenized once.",
                "--method mean averages the members' probabilities (per token for token classification, before "
                        + "entities are decoded); vote takes a weighted majority of their predictions (a tie goes to "
                        + "the label first in label order).",
                "--weights validation weighs each member by its validation score in its metrics.json (the figure that "
                        + "picked its best checkpoint; by its inverse for loss, mse and mae); equal weighs all alike.",
                "Example: kanna ensemble --model runs/a --model runs/b --model runs/c --out runs/abc"})
final class EnsembleCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "DIR", description = "A member: a fine-tuned model directory (repeat for each member).")
    List<Path> models;
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "The ensemble directory to write (must not exist).")
    Path out;
    @Option(names = "--weights", defaultValue = "validation", paramLabel = "validation|equal", description = "Where the members' weights come from (default: ${DEFAULT-VALUE}).")
    String weights;
    @Option(names = "--method", defaultValue = "mean", paramLabel = "mean|vote", description = "How the members' outputs combine (default: ${DEFAULT-VALUE}).")
    String method;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        EnsembleManifest.Weighting weighting = EnsembleManifest.Weighting.parse(weights);
        EnsembleManifest.Method combine = EnsembleManifest.Method.parse(method);
        if (Files.exists(out)) throw new IllegalArgumentException(out + " already exists; choose another --out");
        EnsembleManifest manifest = EnsembleManifest.create(models, out, weighting, combine);
        write(manifest, out);
        var err = spec.commandLine().getErr();
        err.print(table(manifest));
        err.println("ensemble written to " + out);
        err.flush();
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("ensemble_dir", out.toString());
        summary.putAll(manifest.toJson());
        spec.commandLine().getOut().println(new ObjectMapper().writeValueAsString(summary));
        spec.commandLine().getOut().flush();
        return 0;
    }

    /** Writes the manifest in a fresh directory beside out and renames it into place: nothing half-written. */
    static void write(EnsembleManifest manifest, Path out) throws IOException {
        Path temp = AtomicFiles.createSiblingTempDirectory(out);
        try {
            manifest.write(temp);
            AtomicFiles.publishDirectory(temp, out, false);
        } catch (IOException | RuntimeException e) {
            AtomicFiles.deleteRecursively(temp);
            throw e;
        }
    }

    /** The members with their weights (and the scores they came from). */
    static String table(EnsembleManifest manifest) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%s ensemble of %d %s models (weights: %s)%n", manifest.method(),
                manifest.members().size(), manifest.task(),
                manifest.metric() == null ? "equal" : "validation " + manifest.metric()));
        int width = 6;
        for (EnsembleManifest.Member m : manifest.members()) width = Math.max(width, m.path().length());
        sb.append(String.format(Locale.ROOT, "  %-" + width + "s  %7s%s%n", "member", "weight",
                manifest.metric() == null ? "" : String.format(Locale.ROOT, "  %10s", manifest.metric())));
        for (EnsembleManifest.Member m : manifest.members()) {
            sb.append(String.format(Locale.ROOT, "  %-" + width + "s  %7.4f%s%n", m.path(), m.weight(),
                    m.score() == null ? "" : String.format(Locale.ROOT, "  %10.4f", m.score())));
        }
        return sb.toString();
    }
}
