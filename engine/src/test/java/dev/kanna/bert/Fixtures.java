/*
 * Test access to the reference fixtures under src/test/resources/bert (made by
 * tools/reference/bert_fixtures.py): a minimal safetensors reading (F32, F64, I32, I64: all the
 * fixtures hold) and the tiny models' directories as WeightSources.
 */
package dev.kanna.bert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kanna.tensor.HostTensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

public final class Fixtures {
    private Fixtures() {
    }

    /** One tensor as stored: dtype name, shape, little-endian bytes. */
    public record Stored(String dtype, int[] shape, ByteBuffer bytes) {
        public float[] floats() {
            int n = count();
            float[] out = new float[n];
            for (int k = 0; k < n; k++) {
                out[k] = switch (dtype) {
                    case "F32" -> bytes.getFloat(4 * k);
                    case "F64" -> (float) bytes.getDouble(8 * k);
                    default -> throw new IllegalStateException("not a float tensor: " + dtype);
                };
            }
            return out;
        }

        public double[] doubles() {
            int n = count();
            double[] out = new double[n];
            for (int k = 0; k < n; k++) out[k] = dtype.equals("F64") ? bytes.getDouble(8 * k) : bytes.getFloat(4 * k);
            return out;
        }

        public int[] ints() {
            int n = count();
            int[] out = new int[n];
            for (int k = 0; k < n; k++) {
                out[k] = switch (dtype) {
                    case "I32" -> bytes.getInt(4 * k);
                    case "I64" -> Math.toIntExact(bytes.getLong(8 * k));
                    default -> throw new IllegalStateException("not an integer tensor: " + dtype);
                };
            }
            return out;
        }

        public HostTensor host() {
            return new HostTensor(shape, floats());
        }

        private int count() {
            int n = 1;
            for (int d : shape) n *= d;
            return n;
        }
    }

    public static Path resource(String relative) {
        try {
            return Path.of(Fixtures.class.getResource("/bert/" + relative).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("missing test resource bert/" + relative, e);
        }
    }

    /** Every tensor of a safetensors file, in header order. */
    public static Map<String, Stored> read(Path file) {
        try {
            byte[] all = Files.readAllBytes(file);
            ByteBuffer buf = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
            int n = Math.toIntExact(buf.getLong(0));
            JsonNode header = new ObjectMapper().readTree(new String(all, 8, n, StandardCharsets.UTF_8));
            Map<String, Stored> out = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = header.properties().iterator(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("__metadata__")) continue;
                JsonNode shapeNode = e.getValue().get("shape");
                int[] shape = new int[shapeNode.size()];
                for (int k = 0; k < shape.length; k++) shape[k] = shapeNode.get(k).asInt();
                int begin = e.getValue().get("data_offsets").get(0).asInt(), end = e.getValue().get("data_offsets").get(1).asInt();
                ByteBuffer slice = ByteBuffer.wrap(all, 8 + n + begin, end - begin).slice().order(ByteOrder.LITTLE_ENDIAN);
                out.put(e.getKey(), new Stored(e.getValue().get("dtype").asText(), shape, slice));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A model directory's model.safetensors as a WeightSource. */
    public static WeightSource weights(Path dir) {
        Path file = dir.resolve("model.safetensors");
        Map<String, Stored> stored = read(file);
        return new WeightSource() {
            @Override
            public String origin() {
                return file.toString();
            }

            @Override
            public Set<String> names() {
                return stored.keySet();
            }

            @Override
            public int[] shape(String name) {
                return stored.get(name).shape();
            }

            @Override
            public float[] floats(String name) {
                return stored.get(name).floats();
            }
        };
    }

    public static BertConfig config(Path dir) {
        try {
            return BertConfig.read(dir.resolve("config.json"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The batch stored under prefix + input_ids / token_type_ids / attention_mask. */
    public static Batch batch(Map<String, Stored> tensors, String prefix) {
        Stored ids = tensors.get(prefix + "input_ids");
        return new Batch(ids.shape()[0], ids.shape()[1], ids.ints(), tensors.get(prefix + "token_type_ids").ints(),
                tensors.get(prefix + "attention_mask").ints());
    }
}
