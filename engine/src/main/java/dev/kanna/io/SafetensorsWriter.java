/*
 * Writes safetensors files byte for byte as the reference writer (huggingface/safetensors) does:
 * tensors ordered by descending dtype rank then name (UTF-8 byte order), compact JSON header with
 * __metadata__ first, padded with spaces to a multiple of 8 so every tensor starts 8-aligned.
 * The file is written to a temporary sibling and renamed into place (see AtomicFiles).
 */
package dev.kanna.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

public final class SafetensorsWriter {

    private static final int CHUNK = 1 << 20;

    private final List<Pending> tensors = new ArrayList<>();
    private final Set<String> names = new HashSet<>();
    private Map<String, String> metadata;   // null: no __metadata__ key at all, as the reference with None

    /**
     * One tensor waiting to be written: its header entry and a way to stream its bytes, as
     * {@code units} units of {@code unitBytes} each (an element for typed arrays, a byte for raw data).
     */
    private record Pending(String name, SafetensorsDtype dtype, long[] shape, long byteLength,
                           long units, int unitBytes, Encoder data) {
    }

    @FunctionalInterface
    private interface Encoder {
        /** Puts units [from, to) into the buffer, which has room for them. */
        void put(ByteBuffer out, long from, long to);
    }

    /** Sets the whole {@code __metadata__} map (written in iteration order). */
    public SafetensorsWriter metadata(Map<String, String> entries) {
        metadata = new LinkedHashMap<>(entries);
        return this;
    }

    public SafetensorsWriter putMetadata(String key, String value) {
        if (metadata == null) metadata = new LinkedHashMap<>();
        metadata.put(key, value);
        return this;
    }

    public SafetensorsWriter addF32(String name, float[] values, long... shape) {
        return add(name, SafetensorsDtype.F32, shape, values.length,
                (out, from, to) -> { for (int i = (int) from; i < to; i++) out.putFloat(values[i]); });
    }

    /** Stores fp32 values as F16, rounded to nearest even (as torch's {@code .half()}). */
    public SafetensorsWriter addF16(String name, float[] values, long... shape) {
        return add(name, SafetensorsDtype.F16, shape, values.length,
                (out, from, to) -> { for (int i = (int) from; i < to; i++) out.putShort(Float.floatToFloat16(values[i])); });
    }

    /** Stores fp32 values as BF16, rounded to nearest even (as torch's {@code .bfloat16()}). */
    public SafetensorsWriter addBF16(String name, float[] values, long... shape) {
        return add(name, SafetensorsDtype.BF16, shape, values.length,
                (out, from, to) -> { for (int i = (int) from; i < to; i++) out.putShort(toBFloat16(values[i])); });
    }

    public SafetensorsWriter addF64(String name, double[] values, long... shape) {
        return add(name, SafetensorsDtype.F64, shape, values.length,
                (out, from, to) -> { for (int i = (int) from; i < to; i++) out.putDouble(values[i]); });
    }

    public SafetensorsWriter addI64(String name, long[] values, long... shape) {
        return add(name, SafetensorsDtype.I64, shape, values.length,
                (out, from, to) -> { for (int i = (int) from; i < to; i++) out.putLong(values[i]); });
    }

    public SafetensorsWriter addI32(String name, int[] values, long... shape) {
        return add(name, SafetensorsDtype.I32, shape, values.length,
                (out, from, to) -> { for (int i = (int) from; i < to; i++) out.putInt(values[i]); });
    }

    /** Any dtype from its raw little-endian bytes (e.g. copied from another file); sizes are checked. */
    public SafetensorsWriter addRaw(String name, SafetensorsDtype dtype, byte[] littleEndianBytes, long... shape) {
        checkShape(name, shape);
        long expected = dtype.byteLength(elementCount(name, shape));
        if (expected != littleEndianBytes.length) {
            throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape) + " of "
                    + dtype + " needs " + expected + " bytes, got " + littleEndianBytes.length);
        }
        return addEntry(name, dtype, shape, expected, expected, 1,
                (out, from, to) -> out.put(littleEndianBytes, (int) from, (int) (to - from)));
    }

    /** Any dtype from a memory segment holding its little-endian bytes (e.g. another file's mapping). */
    public SafetensorsWriter addRaw(String name, SafetensorsDtype dtype, MemorySegment littleEndianBytes, long... shape) {
        checkShape(name, shape);
        long expected = dtype.byteLength(elementCount(name, shape));
        if (expected != littleEndianBytes.byteSize()) {
            throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape) + " of "
                    + dtype + " needs " + expected + " bytes, got " + littleEndianBytes.byteSize());
        }
        return addEntry(name, dtype, shape, expected, expected, 1,
                (out, from, to) -> out.put(littleEndianBytes.asSlice(from, to - from).asByteBuffer()));
    }

    private SafetensorsWriter add(String name, SafetensorsDtype dtype, long[] shape, int length, Encoder data) {
        checkShape(name, shape);
        long count = elementCount(name, shape);
        if (count != length) {
            throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape)
                    + " holds " + count + " elements, but " + length + " values were given");
        }
        return addEntry(name, dtype, shape, dtype.byteLength(count), count, dtype.bits() / 8, data);
    }

    private SafetensorsWriter addEntry(String name, SafetensorsDtype dtype, long[] shape, long bytes,
                                       long units, int unitBytes, Encoder data) {
        if (name.equals(SafetensorsHeader.METADATA_KEY)) {
            throw new IllegalArgumentException("'" + name + "' is reserved for the metadata map");
        }
        if (!names.add(name)) {
            throw new IllegalArgumentException("tensor '" + name + "' was added twice");
        }
        tensors.add(new Pending(name, dtype, shape.clone(), bytes, units, unitBytes, data));
        return this;
    }

    private static void checkShape(String name, long[] shape) {
        for (long d : shape) {
            if (d < 0) throw new IllegalArgumentException("tensor '" + name + "': negative dimension in " + Arrays.toString(shape));
        }
    }

    private static long elementCount(String name, long[] shape) {
        long n = 1;
        try {
            for (long d : shape) n = Math.multiplyExact(n, d);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape) + " overflows");
        }
        return n;
    }

    /** Writes the file atomically (temporary sibling, then rename over {@code path}). */
    public void write(Path path) throws IOException {
        AtomicFiles.write(path, this::writeTo);
    }

    /** The whole file as bytes (for small files and tests). */
    public byte[] toBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            writeTo(Channels.newChannel(out));
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory cannot fail", e);
        }
        return out.toByteArray();
    }

    /** Streams the file: 8-byte length, padded header, then each tensor's bytes in layout order. */
    public void writeTo(WritableByteChannel channel) throws IOException {
        List<Pending> ordered = layoutOrder();
        byte[] header = headerJson(ordered);
        ByteBuffer buf = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(header.length);
        buf.flip();
        writeFully(channel, buf);
        writeFully(channel, ByteBuffer.wrap(header));
        for (Pending t : ordered) {
            int perChunk = CHUNK / t.unitBytes;
            for (long from = 0; from < t.units; from += perChunk) {
                long to = Math.min(t.units, from + perChunk);
                buf.clear();
                t.data.put(buf, from, to);
                buf.flip();
                writeFully(channel, buf);
            }
        }
    }

    private static void writeFully(WritableByteChannel channel, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) channel.write(buf);
    }

    /** Descending dtype rank, then name in UTF-8 byte order (the reference sorts Rust strings bytewise). */
    private List<Pending> layoutOrder() {
        List<Pending> ordered = new ArrayList<>(tensors);
        ordered.sort((a, b) -> {
            int byType = Integer.compare(b.dtype.ordinal(), a.dtype.ordinal());
            return byType != 0 ? byType : Arrays.compareUnsigned(utf8(a.name), utf8(b.name));
        });
        return ordered;
    }

    private byte[] headerJson(List<Pending> ordered) {
        StringBuilder json = new StringBuilder("{");
        boolean first = true;
        if (metadata != null) {
            json.append("\"__metadata__\":{");
            boolean firstKey = true;
            for (Map.Entry<String, String> e : metadata.entrySet()) {
                if (!firstKey) json.append(',');
                firstKey = false;
                appendString(json, e.getKey()).append(':');
                appendString(json, e.getValue());
            }
            json.append('}');
            first = false;
        }
        long offset = 0;
        for (Pending t : ordered) {
            if (!first) json.append(',');
            first = false;
            appendString(json, t.name).append(":{\"dtype\":\"").append(t.dtype.name()).append("\",\"shape\":[");
            for (int i = 0; i < t.shape.length; i++) {
                if (i > 0) json.append(',');
                json.append(t.shape[i]);
            }
            json.append("],\"data_offsets\":[").append(offset).append(',').append(offset + t.byteLength).append("]}");
            offset += t.byteLength;
        }
        json.append('}');
        byte[] raw = utf8(json.toString());
        int padded = (raw.length + 7) / 8 * 8;
        if (padded > SafetensorsHeader.MAX_HEADER_BYTES) {
            throw new IllegalArgumentException("header of " + padded + " bytes exceeds the format's limit");
        }
        byte[] header = Arrays.copyOf(raw, padded);
        Arrays.fill(header, raw.length, padded, (byte) ' ');
        return header;
    }

    /** JSON string escaping exactly as serde_json writes it (the reference writer's serializer). */
    private static StringBuilder appendString(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        return sb.append('"');
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** fp32 to bf16 with round-to-nearest-even; NaN becomes the canonical 0x7FC0 (torch's c10::BFloat16). */
    public static short toBFloat16(float f) {
        if (Float.isNaN(f)) return (short) 0x7fc0;
        int bits = Float.floatToRawIntBits(f);
        int roundingBias = ((bits >>> 16) & 1) + 0x7fff;
        return (short) ((bits + roundingBias) >>> 16);
    }
}
