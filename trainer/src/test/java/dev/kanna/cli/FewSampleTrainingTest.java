/*
 * `kanna train` with the few-sample flags on the tiny model (2 layers, 48 rows: 6 steps an epoch):
 * layer-wise rates, a head rate, re-initialisation and gradual unfreezing together in a 3-epoch run
 * that is killed in its second epoch and resumed ends bitwise where the uninterrupted run ends, with
 * the settings in the training record and a refusal to resume under other ones; --cache-frozen with
 * gradual unfreezing caches only what no epoch trains; bad values and conflicting flags fail in one
 * line with nothing written.
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

class FewSampleTrainingTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** As CacheFrozenTest: the cache ran layer 0 in other batches than training does (fp32 rounding carried by AdamW). */
    private static final double WEIGHT_TOLERANCE = 1e-5;

    @TempDir
    Path tmp;

    /** A tiny run with these flags (no freezing or epoch flags of its own). */
    private static String[] args(Path out, String... extra) {
        List<String> all = new ArrayList<>(List.of("train", "--model", TinyFixtures.model().toString(),
                "--train", TinyFixtures.train().toString(), "--validation", TinyFixtures.validation().toString(),
                "--out", out.toString(), "--batch-size", "8", "--lr", "1e-3", "--max-length", "64",
                "--device", "cpu", "--threads", "2"));
        all.addAll(List.of(extra));
        return all.toArray(String[]::new);
    }

    private static final String[] FEW_SAMPLE = {"--epochs", "3", "--unfreeze-top", "2", "--gradual-unfreeze",
            "--layer-lr-decay", "0.8", "--head-lr", "3e-3", "--reinit-top", "1", "--save-steps", "3"};

    private static String[] with(String[] base, String... more) {
        String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    @Test
    void allFourTogetherResumeBitwiseAfterAKillInTheSecondEpoch() throws Exception {
        Path whole = tmp.resolve("whole"), killed = tmp.resolve("killed");
        CliRun run = CliRun.run(args(whole, FEW_SAMPLE));
        assertEquals(0, run.exitCode(), run.err());
        String log = run.err();
        for (String line : List.of("--reinit-top 1: re-initialised layer 1 and the pooler (18 tensors: normal(0, 0.02)"
                        + " weights, zero biases, unit LayerNorm; seed 42)",
                "learning rates (peak): head 3.00e-03, layer 1 8.00e-04, layer 0 6.40e-04",
                "gradual unfreezing, epoch 0: head train", "gradual unfreezing, epoch 1: head, layer 1 train",
                "gradual unfreezing, epoch 2: head, layer 1, layer 0 train")) {
            assertTrue(log.contains(line), "missing '" + line + "' in\n" + log);
        }
        JsonNode settings = JSON.readTree(whole.resolve("training_record.json").toFile()).get("settings");
        assertEquals(0.8, settings.get("layer_lr_decay").asDouble());
        assertEquals(3e-3, settings.get("head_lr").asDouble());
        assertTrue(settings.get("gradual_unfreeze").asBoolean());
        assertEquals(1, settings.get("reinit_top").asInt());

        // Killed like kill -9 right after checkpoint-9: epoch 1, step 3 of 6, layer 1 three steps into its own count.
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                "-Dkanna.faultInjection.haltAfterStep=9", Main.class.getName()));
        command.addAll(List.of(args(killed, FEW_SAMPLE)));
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("killed.log").toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the training process did not stop");
        assertEquals(137, p.exitValue(), Files.readString(tmp.resolve("killed.log")));
        try (SafetensorsFile f = SafetensorsFile.open(killed.resolve("checkpoint-9").resolve("optimizer.safetensors"))) {
            assertEquals("3", f.metadata().get("step.bert.encoder.layer.1.output.dense.weight"), f.metadata().toString());
            assertEquals("0", f.metadata().get("step.bert.encoder.layer.0.output.dense.weight"));
            assertNull(f.metadata().get("step.classifier.weight"), "the head trained every step");
        }

        String[] otherDecay = FEW_SAMPLE.clone();
        otherDecay[List.of(otherDecay).indexOf("0.8")] = "0.9";
        CliRun other = CliRun.run(args(killed, with(otherDecay, "--resume")));
        assertEquals(1, other.exitCode(), other.err());
        assertTrue(other.errLines().getLast().contains("was made with other settings"), other.err());

        CliRun resumed = CliRun.run(args(killed, with(FEW_SAMPLE, "--resume")));
        assertEquals(0, resumed.exitCode(), resumed.err());
        assertTrue(resumed.err().contains("resuming from") && resumed.err().contains("gradual unfreezing, epoch 1: head, layer 1 train"),
                resumed.err());
        assertFalse(resumed.err().contains("--reinit-top"), "a resumed run keeps the layers it trained");
        assertArrayEquals(Files.readAllBytes(whole.resolve("model.safetensors")),
                Files.readAllBytes(killed.resolve("model.safetensors")));
        assertArrayEquals(Files.readAllBytes(whole.resolve("checkpoint-18").resolve("optimizer.safetensors")),
                Files.readAllBytes(killed.resolve("checkpoint-18").resolve("optimizer.safetensors")));
    }

    @Test
    void withGradualUnfreezingTheCacheHoldsWhatNoEpochTrains() throws Exception {
        Path cached = tmp.resolve("cached"), whole = tmp.resolve("whole");
        String[] flags = {"--epochs", "2", "--unfreeze-top", "1", "--gradual-unfreeze", "--no-dropout"};
        CliRun run = CliRun.run(args(cached, with(flags, "--cache-frozen")));
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.err().contains("--cache-frozen with --gradual-unfreeze: the cache holds layers 0-0, which no epoch"
                + " trains; the layers above it run in every step, frozen until their epoch"), run.err());
        assertEquals(0, CliRun.run(args(whole, flags)).exitCode());
        double worst = 0;
        try (SafetensorsFile a = SafetensorsFile.open(cached.resolve("model.safetensors"));
             SafetensorsFile b = SafetensorsFile.open(whole.resolve("model.safetensors"))) {
            for (String name : a.names()) {
                float[] x = floats(a.bytes(name)), y = floats(b.bytes(name));
                for (int k = 0; k < x.length; k++) worst = Math.max(worst, Math.abs(x[k] - y[k]));
            }
        }
        assertTrue(worst <= WEIGHT_TOLERANCE, "cached and whole-model weights differ by " + worst);
    }

    @Test
    void badValuesFailInOneLineBeforeAnythingIsWritten() {
        assertRefused("--layer-lr-decay must be in (0, 1], got 0.0", "--layer-lr-decay", "0");
        assertRefused("--layer-lr-decay must be in (0, 1], got 1.5", "--layer-lr-decay", "1.5");
        assertRefused("--head-lr must be > 0, got 0.0", "--head-lr", "0");
        assertRefused("--head-lr must be > 0, got -0.001", "--head-lr", "-1e-3");
        assertRefused("--reinit-top must be ≥ 0, got -1", "--reinit-top", "-1");
        assertRefused("--reinit-top 3 exceeds the model's 2 encoder layers (num_hidden_layers in "
                + TinyFixtures.model().resolve("config.json") + ")", "--reinit-top", "3", "--unfreeze", "all");
    }

    @Test
    void conflictingFlagsFailInOneLineBeforeAnythingIsWritten() {
        assertRefused("--reinit-top 2 re-initialises more layers than --unfreeze-top 1 trains; the others would stay"
                + " random and frozen", "--reinit-top", "2", "--unfreeze-top", "1");
        assertRefused("--gradual-unfreeze: --unfreeze-top 0 trains the head only, so there is no layer to unfreeze",
                "--gradual-unfreeze", "--unfreeze-top", "0");
        // policies known only once the model is loaded: the last line says why
        assertRefusedAfterLoading("--reinit-top 1 re-initialises bert.encoder.layer.1.attention.self.{query,key,value}.weight,"
                        + " which the freezing policy (--unfreeze-pattern classifier) keeps frozen; let every re-initialised"
                        + " layer train", "--reinit-top", "1", "--unfreeze-pattern", "classifier");
        assertRefusedAfterLoading("--gradual-unfreeze: the freezing policy (--unfreeze-pattern classifier) trains only the head,"
                + " so there is nothing to unfreeze", "--gradual-unfreeze", "--unfreeze-pattern", "classifier");
    }

    private void assertRefused(String message, String... flags) {
        Path out = tmp.resolve("refused");
        CliRun run = CliRun.run(args(out, flags));
        assertEquals(1, run.exitCode(), run.err());
        assertEquals(List.of("kanna train: " + message), run.errLines());
        assertFalse(Files.exists(out));
    }

    private void assertRefusedAfterLoading(String message, String... flags) {
        Path out = tmp.resolve("refused");
        CliRun run = CliRun.run(args(out, flags));
        assertEquals(1, run.exitCode(), run.err());
        assertEquals("kanna train: " + message, run.errLines().getLast());
        assertFalse(Files.exists(out), "nothing written");
    }

    private static float[] floats(byte[] bytes) {
        float[] out = new float[bytes.length / 4];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }
}
