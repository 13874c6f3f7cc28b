/*
 * A minimal protobuf wire-format reader over a memory segment: varints, fixed32/64 and
 * length-delimited fields, enough for the ONNX messages we read. Every length is checked against the
 * bytes that remain before anything is sliced or allocated, so a truncated or hostile file fails
 * with a clear message instead of reading past the end or allocating gigabytes.
 */
package dev.kanna.io.onnx;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

final class ProtoReader {

    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int LEN = 2;
    static final int FIXED32 = 5;

    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final MemorySegment data;
    private final Path file;
    private final String message;   // the protobuf message being read, for errors
    private final long end;
    private long pos;

    ProtoReader(MemorySegment data, long start, long end, Path file, String message) {
        this.data = data;
        this.pos = start;
        this.end = end;
        this.file = file;
        this.message = message;
    }

    boolean hasMore() {
        return pos < end;
    }

    long position() {
        return pos;
    }

    /** Reads a field key; returns it as (field number << 3) | wire type. */
    int readTag() {
        long key = readVarint();
        int wire = (int) (key & 7);
        long field = key >>> 3;
        if (field == 0 || field > 0x1fffffff) throw error("invalid field number " + field);
        if (wire != VARINT && wire != FIXED64 && wire != LEN && wire != FIXED32) {
            throw error("field " + field + " has wire type " + wire + ", which ONNX never uses");
        }
        return (int) key;
    }

    static int field(int tag) {
        return tag >>> 3;
    }

    static int wireType(int tag) {
        return tag & 7;
    }

    long readVarint() {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos >= end) throw error("truncated varint at byte " + pos);
            byte b = data.get(ValueLayout.JAVA_BYTE, pos++);
            result |= (long) (b & 0x7f) << shift;
            if (b >= 0) return result;
        }
        throw error("varint longer than 10 bytes at byte " + pos);
    }

    int readFixed32() {
        need(4, "fixed32");
        int v = data.get(I32, pos);
        pos += 4;
        return v;
    }

    long readFixed64() {
        need(8, "fixed64");
        long v = data.get(I64, pos);
        pos += 8;
        return v;
    }

    /** A length-delimited field's bounds [start, end), checked against the enclosing message. */
    long[] readLengthDelimited() {
        long length = readVarint();
        if (length < 0 || length > end - pos) {
            throw error("a length-delimited field at byte " + pos + " claims " + Long.toUnsignedString(length)
                    + " bytes, but only " + (end - pos) + " remain (truncated or corrupt file)");
        }
        long start = pos;
        pos += length;
        return new long[]{start, pos};
    }

    /** A reader over an embedded message. */
    ProtoReader readMessage(String name) {
        long[] range = readLengthDelimited();
        return new ProtoReader(data, range[0], range[1], file, name);
    }

    String readString() {
        long[] range = readLengthDelimited();
        byte[] bytes = data.asSlice(range[0], range[1] - range[0]).toArray(ValueLayout.JAVA_BYTE);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw error("a string at byte " + range[0] + " is not UTF-8");
        }
    }

    /** Fails unless the field just read has the wire type its schema gives it. */
    ProtoReader expect(int tag, int wireType) {
        if (wireType(tag) != wireType) {
            throw error("field " + field(tag) + " has wire type " + wireType(tag) + ", expected " + wireType);
        }
        return this;
    }

    void skip(int wireType) {
        switch (wireType) {
            case VARINT -> readVarint();
            case FIXED64 -> { need(8, "fixed64"); pos += 8; }
            case FIXED32 -> { need(4, "fixed32"); pos += 4; }
            case LEN -> readLengthDelimited();
            default -> throw error("cannot skip wire type " + wireType);
        }
    }

    Path file() {
        return file;
    }

    MemorySegment segment() {
        return data;
    }

    private void need(int bytes, String what) {
        if (end - pos < bytes) throw error("truncated " + what + " at byte " + pos);
    }

    OnnxImportException error(String problem) {
        return new OnnxImportException(file, "malformed ONNX protobuf in " + message + ": " + problem);
    }
}
