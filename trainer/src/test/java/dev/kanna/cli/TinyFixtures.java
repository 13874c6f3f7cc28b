/*
 * The tiny model and data of trainer/src/test/resources/tiny (tools/reference/trainer_fixtures.py).
 */
package dev.kanna.cli;

import java.net.URISyntaxException;
import java.nio.file.Path;

final class TinyFixtures {
    private TinyFixtures() {
    }

    static Path root() {
        try {
            return Path.of(TinyFixtures.class.getResource("/tiny/model/config.json").toURI()).getParent().getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Path model() {
        return root().resolve("model");
    }

    static Path train() {
        return root().resolve("train.jsonl");
    }

    static Path validation() {
        return root().resolve("validation.jsonl");
    }

    /** Arguments of a short, deterministic training run on the tiny model (2 epochs × 6 steps). */
    static String[] trainArgs(Path out, String... extra) {
        String[] base = {"train", "--model", model().toString(), "--train", train().toString(),
                "--validation", validation().toString(), "--out", out.toString(), "--epochs", "2",
                "--batch-size", "8", "--lr", "1e-3", "--max-length", "64", "--unfreeze-top", "1",
                "--device", "cpu", "--threads", "2"};
        String[] all = new String[base.length + extra.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return all;
    }
}
