/*
 * An ONNX TensorProto (an initializer or a Constant's value): name, element type, dims, and where
 * its data lies in the mapped file. Data is decoded only on request, after the element count has
 * been checked against the bytes actually present.
 */
package dev.kanna.io.onnx;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

public final class OnnxTensor {

    /** TensorProto.DataType values we read. */
    public static final int FLOAT = 1;
    public static final int INT32 = 6;
    public static final int INT64 = 7;

    private static final int MAX_RANK = 64;
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path file;
    private final MemorySegment data;
    final String name;
    final int dataType;
    final long[] dims;
    private final long rawStart;
    private final long rawEnd;                 // raw_data bounds, or -1 when absent
    private final List<long[]> floatRanges;    // float_data: fixed32 values in these byte ranges
    private final List<long[]> intRanges;      // int64_data / int32_data: varints in these byte ranges
    private final boolean external;

    private OnnxTensor(Path file, MemorySegment data, String name, int dataType, long[] dims, long rawStart, long rawEnd,
                       List<long[]> floatRanges, List<long[]> intRanges, boolean external) {
        this.file = file;
        this.data = data;
        this.name = name;
        this.dataType = dataType;
        this.dims = dims;
        this.rawStart = rawStart;
        this.rawEnd = rawEnd;
        this.floatRanges = floatRanges;
        this.intRanges = intRanges;
        this.external = external;
    }

    /** Parses a TensorProto: dims (1), data_type (2), float_data (4), int32_data (5), int64_data (7),
     *  name (8), raw_data (9), data_location (14). */
    static OnnxTensor parse(ProtoReader r, Path file) {
        String name = "";
        int dataType = 0;
        List<Long> dims = new ArrayList<>();
        long rawStart = -1;
        long rawEnd = -1;
        List<long[]> floatRanges = new ArrayList<>();
        List<long[]> intRanges = new ArrayList<>();
        boolean external = false;
        while (r.hasMore()) {
            int tag = r.readTag();
            int wire = ProtoReader.wireType(tag);
            switch (ProtoReader.field(tag)) {
                case 1 -> {
                    // dims: a handful of varints, packed or not; bounded so a corrupt file cannot make us allocate
                    readDims(r, tag, dims);
                }
                case 2 -> dataType = (int) r.expect(tag, ProtoReader.VARINT).readVarint();
                case 4 -> {
                    if (wire == ProtoReader.LEN) {
                        long[] range = r.readLengthDelimited();
                        if ((range[1] - range[0]) % 4 != 0) throw r.error("packed float_data is not a multiple of 4 bytes");
                        floatRanges.add(range);
                    } else {
                        long at = r.position();
                        r.expect(tag, ProtoReader.FIXED32).readFixed32();
                        floatRanges.add(new long[]{at, at + 4});
                    }
                }
                case 5, 7 -> {
                    if (wire == ProtoReader.LEN) {
                        intRanges.add(r.readLengthDelimited());
                    } else {
                        long at = r.position();
                        r.expect(tag, ProtoReader.VARINT).readVarint();
                        intRanges.add(new long[]{at, r.position()});
                    }
                }
                case 8 -> name = r.expect(tag, ProtoReader.LEN).readString();
                case 9 -> {
                    long[] range = r.expect(tag, ProtoReader.LEN).readLengthDelimited();
                    rawStart = range[0];
                    rawEnd = range[1];
                }
                case 14 -> external = r.expect(tag, ProtoReader.VARINT).readVarint() == 1;
                default -> r.skip(wire);
            }
        }
        long[] d = new long[dims.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = dims.get(i);
            if (d[i] < 0) throw new OnnxImportException(file, "tensor '" + name + "' has a negative dimension " + d[i]);
        }
        return new OnnxTensor(file, r.segment(), name, dataType, d, rawStart, rawEnd, floatRanges, intRanges, external);
    }

    /** Dims: varints, packed (one length-delimited run) or not (one each); at most MAX_RANK of them. */
    private static void readDims(ProtoReader r, int tag, List<Long> into) {
        if (ProtoReader.wireType(tag) == ProtoReader.LEN) {
            long[] range = r.readLengthDelimited();
            ProtoReader packed = new ProtoReader(r.segment(), range[0], range[1], r.file(), "packed dims");
            while (packed.hasMore()) {
                into.add(packed.readVarint());
                if (into.size() > MAX_RANK) throw r.error("a tensor has more than " + MAX_RANK + " dims");
            }
        } else {
            into.add(r.expect(tag, ProtoReader.VARINT).readVarint());
            if (into.size() > MAX_RANK) throw r.error("a tensor has more than " + MAX_RANK + " dims");
        }
    }

    public String name() {
        return name;
    }

    public int dataType() {
        return dataType;
    }

    public long[] dims() {
        return dims.clone();
    }

    public long elementCount() {
        long n = 1;
        try {
            for (long d : dims) n = Math.multiplyExact(n, d);
        } catch (ArithmeticException e) {
            throw new OnnxImportException(file, "tensor '" + name + "' has dims " + Arrays.toString(dims) + " that overflow");
        }
        return n;
    }

    /** FLOAT data as float[], from raw_data or float_data, after checking the byte count. */
    public float[] floats() {
        if (dataType != FLOAT) throw wrongType("FLOAT (1)");
        int n = arrayLength();
        float[] out = new float[n];
        if (rawEnd >= 0) {
            checkRawBytes(4L * n);
            MemorySegment.copy(data, F32, rawStart, out, 0, n);
        } else {
            long present = 0;
            for (long[] r : floatRanges) present += (r[1] - r[0]) / 4;
            if (present != n) throw dataMismatch(present, n);
            int i = 0;
            for (long[] r : floatRanges) {
                int count = (int) ((r[1] - r[0]) / 4);
                MemorySegment.copy(data, F32, r[0], out, i, count);
                i += count;
            }
        }
        return out;
    }

    /** INT64 or INT32 data as long[], from raw_data or int64_data/int32_data. */
    public long[] longs() {
        if (dataType != INT64 && dataType != INT32) throw wrongType("INT64 (7) or INT32 (6)");
        int n = arrayLength();
        if (rawEnd < 0) {
            long present = 0;   // one varint ends at each byte whose high bit is clear
            for (long[] r : intRanges) {
                for (long p = r[0]; p < r[1]; p++) if (data.get(ValueLayout.JAVA_BYTE, p) >= 0) present++;
            }
            if (present != n) throw dataMismatch(present, n);
            long[] out = new long[n];
            int i = 0;
            for (long[] r : intRanges) {
                ProtoReader varints = new ProtoReader(data, r[0], r[1], file, "tensor '" + name + "' integers");
                while (varints.hasMore()) {
                    long v = varints.readVarint();
                    out[i++] = dataType == INT32 ? (int) v : v;   // int32_data holds sign-extended varints
                }
            }
            return out;
        }
        int width = dataType == INT64 ? 8 : 4;
        checkRawBytes((long) width * n);
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = width == 8 ? data.get(I64, rawStart + 8L * i) : data.get(I32, rawStart + 4L * i);
        }
        return out;
    }

    /** A float scalar (any shape with one element), or null when this is not one. */
    Float floatScalar() {
        return dataType == FLOAT && !external && elementCount() == 1 ? floats()[0] : null;
    }

    private int arrayLength() {
        if (external) {
            throw new OnnxImportException(file, "tensor '" + name + "' keeps its data in an external file, "
                    + "which is not supported; expected the data inside the .onnx file");
        }
        long n = elementCount();
        if (n > Integer.MAX_VALUE - 8) throw new OnnxImportException(file, "tensor '" + name + "' is too large (" + n + " elements)");
        return (int) n;
    }

    private void checkRawBytes(long expected) {
        if (rawEnd - rawStart != expected) {
            throw new OnnxImportException(file, "tensor '" + name + "' has " + (rawEnd - rawStart)
                    + " bytes of raw_data; expected " + expected + " for dims " + Arrays.toString(dims));
        }
    }

    private OnnxImportException dataMismatch(long present, long expected) {
        return new OnnxImportException(file, "tensor '" + name + "' holds " + present + " values; expected "
                + expected + " for dims " + Arrays.toString(dims));
    }

    private OnnxImportException wrongType(String expected) {
        return new OnnxImportException(file, "tensor '" + name + "' has data type " + dataType + "; expected " + expected);
    }

    @Override
    public String toString() {
        return name + Arrays.toString(dims) + " type " + dataType;
    }
}
