/*
 * A safetensors file opened for reading: memory-mapped (FFM), header validated against every rule of
 * the reference reader before anything sized by it is allocated. Tensors are read on demand and
 * widened for compute: F32/F16/BF16/F64 to float[], integer types to long[] or int[].
 *
 * Layout: [u64 little-endian N][N bytes of UTF-8 JSON header][data region], offsets relative to the
 * data region. Close the file (try-with-resources) to unmap it; reads after close fail.
 */
package dev.kanna.io;

import dev.kanna.io.SafetensorsFormatException.Rule;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

public final class SafetensorsFile implements AutoCloseable {

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Java arrays are indexed by int; a few slots are reserved by some VMs. */
    private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    private final Path path;
    private final Arena arena;
    private final MemorySegment data;   // the data region only
    private final Map<String, TensorInfo> tensors;   // in file (offset) order
    private final Map<String, String> metadata;

    private SafetensorsFile(Path path, Arena arena, MemorySegment data, SafetensorsHeader header) {
        this.path = path;
        this.arena = arena;
        this.data = data;
        Map<String, TensorInfo> byName = new LinkedHashMap<>();
        for (TensorInfo t : header.tensors()) byName.put(t.name(), t);
        this.tensors = Collections.unmodifiableMap(byName);
        this.metadata = header.metadata();
    }

    /** Maps and validates {@code path}; throws {@link SafetensorsFormatException} for a malformed file. */
    public static SafetensorsFile open(Path path) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long fileSize = channel.size();
            if (fileSize < 8) {
                throw new SafetensorsFormatException(path, Rule.FILE_TOO_SMALL,
                        "file is " + fileSize + " bytes, expected at least 8");
            }
            Arena arena = Arena.ofShared();
            try {
                MemorySegment file = channel.map(FileChannel.MapMode.READ_ONLY, 0, fileSize, arena);
                long n = file.get(I64, 0);
                // n is an unsigned 64-bit number: a negative long is beyond 2^63, surely too large.
                if (n < 0 || n > SafetensorsHeader.MAX_HEADER_BYTES) {
                    throw new SafetensorsFormatException(path, Rule.HEADER_TOO_LARGE,
                            "header length " + Long.toUnsignedString(n) + " exceeds the limit of "
                                    + SafetensorsHeader.MAX_HEADER_BYTES);
                }
                if (8 + n > fileSize) {
                    throw new SafetensorsFormatException(path, Rule.HEADER_PAST_END,
                            "header length " + n + " reaches past the end of the " + fileSize + "-byte file");
                }
                byte[] headerBytes = file.asSlice(8, n).toArray(ValueLayout.JAVA_BYTE);
                SafetensorsHeader header = SafetensorsHeader.parse(path, headerBytes, fileSize - 8 - n);
                return new SafetensorsFile(path, arena, file.asSlice(8 + n), header);
            } catch (RuntimeException | Error e) {
                arena.close();
                throw e;
            }
        }
    }

    public Path path() {
        return path;
    }

    /** Tensor names in file (offset) order. */
    public List<String> names() {
        return new ArrayList<>(tensors.keySet());
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    /** All entries, in file order. */
    public List<TensorInfo> infos() {
        return new ArrayList<>(tensors.values());
    }

    public TensorInfo info(String name) {
        TensorInfo t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException(path + ": no tensor named '" + name + "'");
        }
        return t;
    }

    /** The header's {@code __metadata__} (empty when absent), in file order. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** The tensor's bytes as a read-only slice of the mapping (no copy; valid until close). */
    public MemorySegment segment(String name) {
        TensorInfo t = info(name);
        return data.asSlice(t.byteOffset(), t.byteLength()).asReadOnly();
    }

    /** A copy of the tensor's raw little-endian bytes. */
    public byte[] bytes(String name) {
        TensorInfo t = info(name);
        checkArraySize(t, t.byteLength());
        return segment(name).toArray(ValueLayout.JAVA_BYTE);
    }

    /** The tensor as fp32: F32 as is, F16 and BF16 widened exactly, F64 rounded to nearest. */
    public float[] floats(String name) {
        TensorInfo t = info(name);
        int n = checkArraySize(t, t.elementCount());
        long base = t.byteOffset();
        float[] out = new float[n];
        switch (t.dtype()) {
            case F32 -> MemorySegment.copy(data, F32, base, out, 0, n);
            case F16 -> {
                for (int i = 0; i < n; i++) out[i] = Float.float16ToFloat(data.get(I16, base + 2L * i));
            }
            case BF16 -> {
                // bf16 is the top half of an fp32: widening is a shift, exact for every value.
                for (int i = 0; i < n; i++) out[i] = Float.intBitsToFloat((data.get(I16, base + 2L * i) & 0xffff) << 16);
            }
            case F64 -> {
                for (int i = 0; i < n; i++) out[i] = (float) data.get(F64, base + 8L * i);
            }
            default -> throw wrongType(t, "floats", "F32, F16, BF16 or F64");
        }
        return out;
    }

    /** Integer tensors as long[]: I64 as is; I32, I16, I8 sign-extended; U32, U16, U8, BOOL zero-extended. */
    public long[] longs(String name) {
        TensorInfo t = info(name);
        int n = checkArraySize(t, t.elementCount());
        long base = t.byteOffset();
        long[] out = new long[n];
        switch (t.dtype()) {
            case I64 -> MemorySegment.copy(data, I64, base, out, 0, n);
            case I32 -> { for (int i = 0; i < n; i++) out[i] = data.get(I32, base + 4L * i); }
            case U32 -> { for (int i = 0; i < n; i++) out[i] = Integer.toUnsignedLong(data.get(I32, base + 4L * i)); }
            case I16 -> { for (int i = 0; i < n; i++) out[i] = data.get(I16, base + 2L * i); }
            case U16 -> { for (int i = 0; i < n; i++) out[i] = data.get(I16, base + 2L * i) & 0xffff; }
            case I8 -> { for (int i = 0; i < n; i++) out[i] = data.get(ValueLayout.JAVA_BYTE, base + i); }
            case U8, BOOL -> { for (int i = 0; i < n; i++) out[i] = data.get(ValueLayout.JAVA_BYTE, base + i) & 0xff; }
            default -> throw wrongType(t, "longs", "an integer type other than U64");
        }
        return out;
    }

    /** Integer tensors as int[]: I32 as is, narrower types widened, I64 only when every value fits. */
    public int[] ints(String name) {
        TensorInfo t = info(name);
        int n = checkArraySize(t, t.elementCount());
        if (t.dtype() == SafetensorsDtype.I32) {
            int[] out = new int[n];
            MemorySegment.copy(data, I32, t.byteOffset(), out, 0, n);
            return out;
        }
        if (t.dtype() == SafetensorsDtype.U32 || t.dtype() == SafetensorsDtype.I64) {
            long[] wide = longs(name);
            int[] out = new int[n];
            for (int i = 0; i < n; i++) {
                if (wide[i] != (int) wide[i]) {
                    throw new IllegalArgumentException(path + ": tensor '" + name + "': element " + i + " = "
                            + wide[i] + " does not fit in an int");
                }
                out[i] = (int) wide[i];
            }
            return out;
        }
        long[] wide = longs(name);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) out[i] = (int) wide[i];
        return out;
    }

    private int checkArraySize(TensorInfo t, long count) {
        if (count > MAX_ARRAY) {
            throw new IllegalArgumentException(path + ": tensor '" + t.name() + "': " + count
                    + " elements exceed a Java array; read it with segment()");
        }
        return (int) count;
    }

    private IllegalArgumentException wrongType(TensorInfo t, String method, String expected) {
        return new IllegalArgumentException(path + ": tensor '" + t.name() + "' is " + t.dtype()
                + "; " + method + "() reads " + expected);
    }

    /** Unmaps the file. */
    @Override
    public void close() {
        if (arena.scope().isAlive()) arena.close();
    }
}
