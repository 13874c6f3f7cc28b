/*
 * Test access to the reference fixtures under src/test/resources/bert (made by
 * tools/reference/bert_fixtures.py): tensors by name with typed accessors, the tiny models'
 * directories as WeightSources, batches stored under a name prefix.
 */
package dev.kanna.bert;

import dev.kanna.io.SafetensorsFile;
import dev.kanna.tensor.HostTensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

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

    /** Every tensor of a safetensors file (read with the engine's reader), in file order. */
    public static Map<String, Stored> read(Path file) {
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            Map<String, Stored> out = new LinkedHashMap<>();
            for (String name : f.names()) {
                out.put(name, new Stored(f.info(name).dtype().name(), f.info(name).intShape(),
                        ByteBuffer.wrap(f.bytes(name)).order(ByteOrder.LITTLE_ENDIAN)));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A model directory's weights, read into memory (the files are closed again). */
    public static WeightSource weights(Path dir) {
        try (SafetensorsWeights w = SafetensorsWeights.open(dir)) {
            Map<String, HostTensor> tensors = new LinkedHashMap<>();
            for (String name : w.names()) tensors.put(name, new HostTensor(w.shape(name), w.floats(name)));
            return WeightSource.of(w.origin(), tensors);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
