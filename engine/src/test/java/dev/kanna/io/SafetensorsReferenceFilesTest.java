/*
 * Files written by the reference writer (safetensors.torch.save_file, every dtype torch can express)
 * read by our reader: same names, dtypes, shapes, metadata, and the same values as torch read back
 * (expected.json, made by tools/reference/safetensors_fixtures.py).
 */
package dev.kanna.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SafetensorsReferenceFilesTest {

    @Test
    void readsEveryDtypeTheReferenceWrote() throws Exception {
        JsonNode expected = new ObjectMapper().readTree(SafetensorsBadFileTest.resource("reference/expected.json").toFile());
        try (SafetensorsFile file = SafetensorsFile.open(SafetensorsBadFileTest.resource("reference/all_dtypes.safetensors"))) {
            assertEquals(Map.of("format", "pt"), file.metadata());
            Set<String> expectedNames = new TreeSet<>();
            expected.get("tensors").fieldNames().forEachRemaining(expectedNames::add);
            assertEquals(expectedNames, new TreeSet<>(file.names()));

            for (Iterator<Map.Entry<String, JsonNode>> it = expected.get("tensors").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String name = e.getKey();
                JsonNode want = e.getValue();
                TensorInfo info = file.info(name);
                assertEquals(want.get("dtype").asText(), info.dtype().name(), name);
                long[] shape = new long[want.get("shape").size()];
                for (int i = 0; i < shape.length; i++) shape[i] = want.get("shape").get(i).asLong();
                assertArrayEquals(shape, info.shape(), name);
                String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(file.bytes(name)));
                assertEquals(want.get("sha256").asText(), sha, name + " bytes");

                if (want.has("floats")) {
                    float[] values = file.floats(name);
                    assertEquals(want.get("floats").size(), values.length, name);
                    for (int i = 0; i < values.length; i++) {
                        // exact: F16/BF16 widen exactly; F64 rounds to nearest as numpy's float32 cast does
                        assertEquals(Float.parseFloat(want.get("floats").get(i).asText()), values[i], 0.0f, name + "[" + i + "]");
                    }
                }
                if (want.has("longs")) {
                    long[] values = file.longs(name);
                    assertEquals(want.get("longs").size(), values.length, name);
                    for (int i = 0; i < values.length; i++) {
                        assertEquals(want.get("longs").get(i).asLong(), values[i], name + "[" + i + "]");
                    }
                }
            }
            assertArrayEquals(new int[]{7, Integer.MIN_VALUE, Integer.MAX_VALUE}, file.ints("int32"));
            assertEquals(0, file.floats("zero_sized").length);
            assertArrayEquals(new float[]{2.5f}, file.floats("scalar"));
            assertThrows(IllegalArgumentException.class, () -> file.floats("int64"));
            assertThrows(IllegalArgumentException.class, () -> file.ints("int64"), "2^40 does not fit an int");
            assertThrows(IllegalArgumentException.class, () -> file.info("absent"));
        }
    }

    @Test
    void readsAfterCloseFail() throws Exception {
        SafetensorsFile file = SafetensorsFile.open(SafetensorsBadFileTest.resource("reference/all_dtypes.safetensors"));
        file.close();
        file.close();   // idempotent
        assertThrows(IllegalStateException.class, () -> file.floats("float32"));
    }
}
