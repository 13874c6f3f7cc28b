/*
 * Property test: random sets of tensors (every dtype, ranks 0-4, zero-sized dims, odd names, optional
 * metadata), seeded, written by our writer and read back by our reader. Names, dtypes, shapes,
 * metadata and bytes must survive; typed values must come back equal; the layout must keep the
 * format's invariants (header a multiple of 8 long, tensors tiling the data region).
 */
package dev.kanna.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SafetensorsRoundTripTest {

    private static final int CASES = 300;

    /** What a case put in, to compare with what comes out. */
    private record Expected(SafetensorsDtype dtype, long[] shape, byte[] bytes, Object values) {
    }

    @Test
    void randomFilesRoundTrip(@TempDir Path dir) throws Exception {
        SplittableRandom random = new SplittableRandom(20240611L);
        for (int c = 0; c < CASES; c++) {
            SafetensorsWriter writer = new SafetensorsWriter();
            Map<String, Expected> expected = new HashMap<>();
            Map<String, String> metadata = new LinkedHashMap<>();
            if (random.nextBoolean()) {
                for (int k = random.nextInt(3); k >= 0; k--) metadata.put(randomName(random), randomName(random));
                writer.metadata(metadata);
            }
            int count = random.nextInt(7);
            for (int t = 0; t < count; t++) {
                String name = randomName(random) + "#" + t;   // unique
                expected.put(name, addRandomTensor(writer, name, random));
            }
            Path file = dir.resolve("case" + c + ".safetensors");
            // the atomic write fsyncs; once in a while is enough to cover it, the bytes are the same
            if (c % 20 == 0) writer.write(file);
            else Files.write(file, writer.toBytes());

            byte[] raw = Files.readAllBytes(file);
            long headerLength = ByteBuffer.wrap(raw, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            assertEquals(0, headerLength % 8, "header padded to a multiple of 8");
            try (SafetensorsFile read = SafetensorsFile.open(file)) {
                assertEquals(metadata, read.metadata(), "case " + c);
                assertEquals(expected.keySet(), new java.util.HashSet<>(read.names()), "case " + c);
                long end = 0;
                for (TensorInfo info : read.infos()) {
                    assertEquals(end, info.byteOffset(), "tensors tile the data region");
                    end += info.byteLength();
                    Expected want = expected.get(info.name());
                    assertEquals(want.dtype, info.dtype(), info.name());
                    assertArrayEquals(want.shape, info.shape(), info.name());
                    assertArrayEquals(want.bytes, read.bytes(info.name()), info.name());
                    switch (want.values) {
                        case float[] f -> assertArrayEquals(f, read.floats(info.name()), info.name());
                        case long[] l -> assertArrayEquals(l, read.longs(info.name()), info.name());
                        case int[] i -> assertArrayEquals(i, read.ints(info.name()), info.name());
                        case null -> { }
                        default -> throw new AssertionError();
                    }
                }
                assertEquals(raw.length - 8 - headerLength, end);
            }
        }
    }

    /** Adds one tensor through the typed adder when the dtype has one, else as raw bytes. */
    private static Expected addRandomTensor(SafetensorsWriter writer, String name, SplittableRandom random) {
        SafetensorsDtype dtype = SafetensorsDtype.values()[random.nextInt(SafetensorsDtype.values().length)];
        long[] shape = new long[random.nextInt(5)];
        for (int i = 0; i < shape.length; i++) shape[i] = random.nextInt(10) == 0 ? 0 : 1 + random.nextInt(4);
        long n = 1;
        for (long d : shape) n *= d;
        if (dtype.bits() < 8 && (n * dtype.bits()) % 8 != 0) {
            shape = new long[]{8};   // sub-byte types need whole bytes
            n = 8;
        }
        int count = (int) n;
        switch (dtype) {
            case F32 -> {
                float[] v = new float[count];
                for (int i = 0; i < count; i++) v[i] = (float) random.nextGaussian();
                writer.addF32(name, v, shape);
                return new Expected(dtype, shape, littleEndian(v), v);
            }
            case F16, BF16 -> {
                // values exactly representable in the narrow type, so the round trip must be exact
                float[] v = new float[count];
                for (int i = 0; i < count; i++) v[i] = (random.nextInt(512) - 256) / 64f;
                if (dtype == SafetensorsDtype.F16) writer.addF16(name, v, shape);
                else writer.addBF16(name, v, shape);
                return new Expected(dtype, shape, narrow(v, dtype), v);
            }
            case I64 -> {
                long[] v = new long[count];
                for (int i = 0; i < count; i++) v[i] = random.nextLong();
                writer.addI64(name, v, shape);
                ByteBuffer b = ByteBuffer.allocate(8 * count).order(ByteOrder.LITTLE_ENDIAN);
                for (long x : v) b.putLong(x);
                return new Expected(dtype, shape, b.array(), v);
            }
            case I32 -> {
                int[] v = new int[count];
                for (int i = 0; i < count; i++) v[i] = random.nextInt();
                writer.addI32(name, v, shape);
                ByteBuffer b = ByteBuffer.allocate(4 * count).order(ByteOrder.LITTLE_ENDIAN);
                for (int x : v) b.putInt(x);
                return new Expected(dtype, shape, b.array(), v);
            }
            default -> {
                byte[] bytes = new byte[(int) dtype.byteLength(n)];
                random.nextBytes(bytes);
                if (random.nextBoolean()) writer.addRaw(name, dtype, bytes, shape);
                else writer.addRaw(name, dtype, MemorySegment.ofArray(bytes.clone()), shape);
                return new Expected(dtype, shape, bytes, null);
            }
        }
    }

    private static byte[] littleEndian(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) b.putFloat(x);
        return b.array();
    }

    /** Exact encodings of small multiples of 1/64: bf16 = the top 16 bits of the fp32 pattern. */
    private static byte[] narrow(float[] v, SafetensorsDtype dtype) {
        ByteBuffer b = ByteBuffer.allocate(2 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) {
            b.putShort(dtype == SafetensorsDtype.BF16 ? (short) (Float.floatToRawIntBits(x) >>> 16) : Float.floatToFloat16(x));
        }
        return b.array();
    }

    private static String randomName(SplittableRandom random) {
        String[] parts = {"encoder", "layer", "0", "weight", "bias", "é", "\u4e2d", "\uD83D\uDE00", "\"q\"", "\\", "\t", " ", ".", "_", "\u0007"};
        StringBuilder sb = new StringBuilder();
        for (int i = 1 + random.nextInt(4); i > 0; i--) sb.append(parts[random.nextInt(parts.length)]);
        return sb.toString();
    }

    @Test
    void writerRejectsInconsistentInput() {
        SafetensorsWriter w = new SafetensorsWriter().addF32("a", new float[6], 2, 3);
        assertThrows(IllegalArgumentException.class, () -> w.addF32("a", new float[1], 1), "duplicate name");
        assertThrows(IllegalArgumentException.class, () -> w.addF32("b", new float[5], 2, 3), "count mismatch");
        assertThrows(IllegalArgumentException.class, () -> w.addF32("c", new float[0], -1), "negative dim");
        assertThrows(IllegalArgumentException.class, () -> w.addF32("__metadata__", new float[1], 1), "reserved");
        assertThrows(IllegalArgumentException.class, () -> w.addRaw("d", SafetensorsDtype.F32, new byte[3], 1), "bytes");
        assertThrows(IllegalArgumentException.class, () -> w.addRaw("e", SafetensorsDtype.F4, new byte[1], 3), "sub-byte");
    }

    @Test
    void bf16RoundsToNearestEvenLikeTorch() {
        // 1 + 2^-8 is halfway between bf16 neighbours 1 and 1 + 2^-7: ties go to the even one (1).
        assertEquals((short) 0x3f80, SafetensorsWriter.toBFloat16(1f + 0x1p-8f));
        // 1 + 3 * 2^-8 is halfway between 1 + 2^-7 (odd) and 1 + 2^-6 (even): rounds up.
        assertEquals((short) 0x3f82, SafetensorsWriter.toBFloat16(1f + 3 * 0x1p-8f));
        assertEquals((short) 0x3f81, SafetensorsWriter.toBFloat16(1f + 0x1p-8f + 0x1p-20f), "above half rounds up");
        assertEquals((short) 0x7fc0, SafetensorsWriter.toBFloat16(Float.NaN));
        assertEquals((short) 0xff80, SafetensorsWriter.toBFloat16(Float.NEGATIVE_INFINITY));
    }

    @Test
    void segmentIsAZeroCopyReadOnlyView(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("s.safetensors");
        new SafetensorsWriter().addF32("w", new float[]{1.5f, -2f}, 2).write(file);
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            MemorySegment s = f.segment("w");
            assertEquals(8, s.byteSize());
            assertEquals(-2f, s.get(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 4));
            assertThrows(IllegalArgumentException.class, () -> s.set(ValueLayout.JAVA_BYTE, 0, (byte) 1));
        }
    }

    @Test
    void failedWriteLeavesNothingBehind(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("model.safetensors");
        new SafetensorsWriter().addF32("old", new float[]{1f}, 1).write(file);
        byte[] before = Files.readAllBytes(file);
        // Tensor data that becomes unreadable once the header is already on disk: the write fails midway.
        java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined();
        MemorySegment doomed = arena.allocate(16);
        SafetensorsWriter bad = new SafetensorsWriter().addRaw("x", SafetensorsDtype.F32, doomed, 4);
        arena.close();
        assertThrows(IllegalStateException.class, () -> bad.write(file));
        assertArrayEquals(before, Files.readAllBytes(file), "old file untouched");
        try (var listing = Files.list(dir)) {
            assertEquals(List.of(file), listing.toList(), "no temporary left");
        }
    }
}
