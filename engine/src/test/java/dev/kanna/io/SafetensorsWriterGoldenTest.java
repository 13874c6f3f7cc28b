/*
 * Our writer against the reference writer, byte for byte. The golden files were written by Python's
 * safetensors (tools/reference/safetensors_fixtures.py, golden_tensors()) from the same deterministic
 * tensors built here. Equal bytes prove the header format, padding, tensor order, name escaping and
 * F16/BF16 rounding match; and since Python's safetensors reads these very bytes back into the same
 * tensors, it reads files from our writer identically (CI has no Python, so this is how it is shown).
 */
package dev.kanna.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class SafetensorsWriterGoldenTest {

    /** The tensors of golden_tensors() in the Python script, from the same formulas, in another order. */
    static SafetensorsWriter goldenTensors() {
        float[] weight = new float[15];
        for (int i = 0; i < 15; i++) weight[i] = ((float) i - 7f) / 3f;
        float[] bias = new float[5];
        for (int i = 0; i < 5; i++) bias[i] = (float) i * 0.1f - 0.25f;
        float[] half = new float[6];
        for (int i = 0; i < 6; i++) half[i] = (float) i / 3f - 1f;
        float[] brain = new float[4];
        for (int i = 0; i < 4; i++) brain[i] = (float) i / 3f - 1f;
        return new SafetensorsWriter()
                .addF32("\uD83D\uDE00", new float[]{7f}, 1)
                .addF32("\ue000", new float[]{6f}, 1)
                .addF32("\u00e9t\u00e9", new float[]{5f}, 1)
                .addF32("quote\"back\\slash\nnew\ttab\u0001ctl", new float[]{4f}, 1)
                .addF32("a_b", new float[]{3f}, 1)
                .addF32("a.b", new float[]{2f}, 1)
                .addF32("A", new float[]{1f}, 1)
                .addF64("doubles", new double[]{0.1, -1e300}, 2)
                .addF32("empty", new float[0], 0, 4)
                .addF32("scalar", new float[]{2.5f})
                .addI32("mask", new int[]{1, 0, -7}, 3)
                .addI64("ids", new long[]{0, -1, 1L << 40, -(1L << 62)}, 2, 2)
                .addBF16("brain", brain, 4)
                .addF16("half", half, 2, 3)
                .addF32("encoder.bias", bias, 5)
                .addF32("encoder.weight", weight, 3, 5);
    }

    @Test
    void matchesTheReferenceWriterWithMetadata(@TempDir Path dir) throws Exception {
        Path ours = dir.resolve("ours.safetensors");
        goldenTensors().metadata(Map.of("format", "pt")).write(ours);
        assertArrayEquals(Files.readAllBytes(SafetensorsBadFileTest.resource("golden/with_metadata.safetensors")),
                Files.readAllBytes(ours));
    }

    @Test
    void matchesTheReferenceWriterWithoutMetadata() throws Exception {
        assertArrayEquals(Files.readAllBytes(SafetensorsBadFileTest.resource("golden/no_metadata.safetensors")),
                goldenTensors().toBytes());
    }

    @Test
    void matchesTheReferenceWriterWithNoTensors() throws Exception {
        assertArrayEquals(Files.readAllBytes(SafetensorsBadFileTest.resource("golden/empty.safetensors")),
                new SafetensorsWriter().toBytes());
    }

    @Test
    void goldenFileReadsBackAsWritten() throws Exception {
        try (SafetensorsFile f = SafetensorsFile.open(SafetensorsBadFileTest.resource("golden/with_metadata.safetensors"))) {
            // Layout order: I64, F64, then F32 by UTF-8 bytes (U+E000 before U+1F600), then BF16, F16.
            assertEquals(List.of("ids", "doubles", "A", "a.b", "a_b", "empty", "encoder.bias", "encoder.weight",
                    "quote\"back\\slash\nnew\ttab\u0001ctl", "scalar", "\u00e9t\u00e9", "\ue000", "\uD83D\uDE00",
                    "mask", "brain", "half"), f.names().subList(0, 16));
            assertArrayEquals(new long[]{0, -1, 1L << 40, -(1L << 62)}, f.longs("ids"));
            assertArrayEquals(new int[]{1, 0, -7}, f.ints("mask"));
            // bf16 of i/3 - 1: -1, -0.6666..., -0.3333..., 0, rounded to 8 significant bits by torch
            assertArrayEquals(new float[]{-1f, -0.66796875f, -0.333984375f, 0f}, f.floats("brain"));
            assertArrayEquals(new long[]{2, 3}, f.info("half").shape());
            assertArrayEquals(new long[]{}, f.info("scalar").shape());
        }
    }
}
