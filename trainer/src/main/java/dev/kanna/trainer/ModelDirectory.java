/*
 * Checks that a directory is a usable Hugging Face BERT directory before any work starts, so a
 * missing file is one clear line rather than a failure halfway through.
 */
package dev.kanna.trainer;

import java.nio.file.Files;
import java.nio.file.Path;

public final class ModelDirectory {
    private ModelDirectory() {
    }

    /** config.json, model.safetensors and a tokenizer (tokenizer.json or vocab.txt) must be present. */
    public static void requireTrainable(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + ": no such model directory");
        }
        if (EnsembleManifest.isIn(dir) && !Files.isRegularFile(dir.resolve("config.json"))) {
            throw new IllegalArgumentException(dir + " is an ensemble directory; this takes a single model (evaluate,"
                    + " predict and logits take ensembles)");
        }
        for (String required : new String[]{"config.json", "model.safetensors"}) {
            if (!Files.isRegularFile(dir.resolve(required))) {
                throw new IllegalArgumentException(dir + ": not a model directory (no " + required + ")");
            }
        }
        if (!Files.isRegularFile(dir.resolve("tokenizer.json")) && !Files.isRegularFile(dir.resolve("vocab.txt"))) {
            throw new IllegalArgumentException(dir + ": the model directory has no tokenizer (expected tokenizer.json"
                    + " or vocab.txt)");
        }
    }
}
