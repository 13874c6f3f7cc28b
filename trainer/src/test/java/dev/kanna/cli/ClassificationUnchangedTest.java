/*
 * Single-label classification is one task among several now; what it trains must be what it
 * trained before the Task design, bit for bit. tiny/classification_pins.json holds the SHA-256 of
 * the model, metrics and training log that `kanna train` wrote on the tiny fixtures at the commit
 * it names (tools/regression/classification_pins.sh, which builds that commit and runs it): these
 * runs repeat its two commands with the code under test.
 */
package dev.kanna.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ClassificationUnchangedTest {
    @TempDir
    Path tmp;

    @Test
    void plainSettingsTrainBitForBitAsBefore() throws Exception {
        check("plain");
    }

    @Test
    void cachedWeightedSmoothedAccumulatedTrainBitForBitAsBefore() throws Exception {
        check("options", "--cache-frozen", "--class-weights", "auto", "--label-smoothing", "0.1",
                "--gradient-accumulation", "2", "--eval-steps", "3");
    }

    private void check(String pin, String... extra) throws Exception {
        JsonNode pins = new ObjectMapper().readTree(TinyFixtures.root().resolve("classification_pins.json").toFile());
        Path out = tmp.resolve(pin);
        CliRun run = CliRun.run(TinyFixtures.trainArgs(out, extra));
        assertEquals(0, run.exitCode(), run.err());
        for (String file : List.of("model.safetensors", "metrics.json", "training_log.jsonl")) {
            assertEquals(pins.get(pin).get(file).asText(), sha256(out.resolve(file)),
                    file + " differs from what commit " + pins.get("commit").asText() + " trained");
        }
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
