/*
 * `kanna train --cache-frozen` on the tiny model (2 layers, top 1 trains, so layer 0 and the
 * embeddings are cached): with dropout off it trains as the whole model does; its validation figures
 * are bitwise those `kanna evaluate` computes on the saved model; a killed and resumed run recomputes
 * the cache and ends bitwise where an uninterrupted one ends; a policy that trains the embeddings
 * says the cache cannot apply and trains exactly as without the flag.
 */
package dev.kanna.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kanna.io.SafetensorsFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

class CacheFrozenTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * 1e-5 abs on the final weights after 12 AdamW steps at lr 1e-3: the cache ran layer 0 in
     * length-sorted batches of 64, the whole model in the training batches of 8, so attention sums over
     * differently padded keys (fp32 rounding, ~1e-7 per state) that AdamW's normalised steps carry on.
     */
    private static final double WEIGHT_TOLERANCE = 1e-5;

    @TempDir
    Path tmp;

    @Test
    void withDropoutOffCachedTrainingMatchesTheWholeModel() throws Exception {
        Path cached = tmp.resolve("cached"), whole = tmp.resolve("whole");
        CliRun run = CliRun.run(TinyFixtures.trainArgs(cached, "--cache-frozen", "--no-dropout"));
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.err().matches("(?s).*--cache-frozen: caching the embeddings and layers 0-0 .* for 48 training"
                + " and 24 validation examples: [0-9.]+ MiB on the host.*"), run.err());
        assertEquals(0, CliRun.run(TinyFixtures.trainArgs(whole, "--no-dropout")).exitCode());

        double worst = 0;
        try (SafetensorsFile a = SafetensorsFile.open(cached.resolve("model.safetensors"));
             SafetensorsFile b = SafetensorsFile.open(whole.resolve("model.safetensors"))) {
            assertEquals(a.names(), b.names());
            for (String name : a.names()) {
                float[] x = floats(a.bytes(name)), y = floats(b.bytes(name));
                for (int k = 0; k < x.length; k++) worst = Math.max(worst, Math.abs(x[k] - y[k]));
            }
        }
        System.out.printf("--cache-frozen vs whole model, dropout off: worst final weight difference %.3g%n", worst);
        assertTrue(worst <= WEIGHT_TOLERANCE, "cached and whole-model weights differ by " + worst);
    }

    @Test
    void validationFromTheCacheIsBitwiseWhatEvaluateComputes() throws Exception {
        Path out = tmp.resolve("run");
        assertEquals(0, CliRun.run(TinyFixtures.trainArgs(out, "--cache-frozen")).exitCode());
        JsonNode saved = JSON.readTree(out.resolve("metrics.json").toFile()).get("validation");
        CliRun eval = CliRun.run("evaluate", "--model", out.toString(), "--data", TinyFixtures.validation().toString(),
                "--device", "cpu", "--threads", "2", "--max-length", "64", "--batch-size", "64");
        assertEquals(0, eval.exitCode(), eval.err());
        JsonNode fresh = JSON.readTree(eval.lastOutLine());
        assertEquals(saved.get("loss").asDouble(), fresh.get("loss").asDouble(), 0.0,
                "the cache computed layer 0 in evaluation's own batches");
        assertEquals(saved.get("macro_f1").asDouble(), fresh.get("macro_f1").asDouble(), 0.0);
    }

    @Test
    void resumeAfterAKillRecomputesTheCacheAndEndsBitwiseWhereAnUninterruptedRunEnds() throws Exception {
        Path whole = tmp.resolve("whole"), killed = tmp.resolve("killed");
        assertEquals(0, CliRun.run(TinyFixtures.trainArgs(whole, "--save-steps", "4", "--cache-frozen")).exitCode());

        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                "-Dkanna.faultInjection.haltAfterStep=4", Main.class.getName()));
        command.addAll(List.of(TinyFixtures.trainArgs(killed, "--save-steps", "4", "--cache-frozen")));
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("killed.log").toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the training process did not stop");
        assertEquals(137, p.exitValue(), Files.readString(tmp.resolve("killed.log")));

        CliRun resumed = CliRun.run(TinyFixtures.trainArgs(killed, "--save-steps", "4", "--cache-frozen", "--resume"));
        assertEquals(0, resumed.exitCode(), resumed.err());
        assertTrue(resumed.err().contains("resuming from") && resumed.err().contains("--cache-frozen: caching"),
                resumed.err());
        assertArrayEquals(Files.readAllBytes(whole.resolve("model.safetensors")),
                Files.readAllBytes(killed.resolve("model.safetensors")));
    }

    @Test
    void whenTheEmbeddingsTrainTheCacheDoesNotApply() throws Exception {
        Path flagged = tmp.resolve("flagged"), plain = tmp.resolve("plain");
        CliRun run = CliRun.run(TinyFixtures.trainArgs(flagged, "--unfreeze", "all", "--cache-frozen"));
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.err().contains("--cache-frozen does not apply: the embeddings train"), run.err());
        assertEquals(0, CliRun.run(TinyFixtures.trainArgs(plain, "--unfreeze", "all")).exitCode());
        assertArrayEquals(Files.readAllBytes(plain.resolve("model.safetensors")),
                Files.readAllBytes(flagged.resolve("model.safetensors")));
    }

    private static float[] floats(byte[] bytes) {
        float[] out = new float[bytes.length / 4];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }
}
