/*
 * The protobuf wire reader on hand-encoded bytes: varints (one to ten bytes, negative int64),
 * fixed-width fields, skipping, and every way a length or a varint can run past the buffer.
 */
package dev.kanna.io.onnx;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProtoReaderTest {

    private static ProtoReader reader(int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) b[i] = (byte) bytes[i];
        return new ProtoReader(MemorySegment.ofArray(b), 0, b.length, Path.of("m.onnx"), "TestProto");
    }

    @Test
    void varints() {
        assertEquals(1, reader(0x01).readVarint());
        assertEquals(300, reader(0xac, 0x02).readVarint());   // the protobuf documentation's example
        assertEquals(-1L, reader(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01).readVarint(), "int64 -1 takes 10 bytes");
        assertThrows(OnnxImportException.class, () -> reader(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01).readVarint(),
                "11 bytes is too long");
        assertThrows(OnnxImportException.class, () -> reader(0x80, 0x80).readVarint(), "truncated");
    }

    @Test
    void tagsFixedAndSkip() {
        // field 1 varint 150, field 2 fixed32 1.5f, field 3 fixed64, field 4 bytes "hi", field 5 string "é"
        ProtoReader r = reader(0x08, 0x96, 0x01, 0x15, 0x00, 0x00, 0xc0, 0x3f, 0x19, 1, 2, 3, 4, 5, 6, 7, 8,
                0x22, 0x02, 'h', 'i', 0x2a, 0x02, 0xc3, 0xa9);
        int tag = r.readTag();
        assertEquals(1, ProtoReader.field(tag));
        assertEquals(ProtoReader.VARINT, ProtoReader.wireType(tag));
        assertEquals(150, r.readVarint());
        assertEquals(2, ProtoReader.field(r.readTag()));
        assertEquals(1.5f, Float.intBitsToFloat(r.readFixed32()));
        r.skip(ProtoReader.wireType(r.readTag()));   // fixed64
        r.skip(ProtoReader.wireType(r.readTag()));   // bytes
        assertEquals(5, ProtoReader.field(r.readTag()));
        assertEquals("é", r.readString());
        assertFalse(r.hasMore());
    }

    @Test
    void lengthsPastTheEndFailBeforeAnythingIsRead() {
        OnnxImportException e = assertThrows(OnnxImportException.class, () -> reader(0x05, 'a').readLengthDelimited());
        assertTrue(e.getMessage().startsWith("m.onnx: malformed ONNX protobuf in TestProto: "), e.getMessage());
        assertTrue(e.getMessage().contains("claims 5 bytes, but only 1 remain"), e.getMessage());
        // a length of 2^63 and more (negative as a long) must not wrap around
        assertThrows(OnnxImportException.class, () -> reader(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01).readLengthDelimited());
        assertThrows(OnnxImportException.class, () -> reader(0x01, 0x02).readFixed32());
        assertThrows(OnnxImportException.class, () -> reader(0x0b).readTag(), "wire type 3 (groups)");
        assertThrows(OnnxImportException.class, () -> reader(0x00).readTag(), "field number 0");
        assertThrows(OnnxImportException.class, () -> reader(0x02, 0xff, 0xfe).readString(), "not UTF-8");
    }

    @Test
    void aFieldWithTheWrongWireTypeIsRefused() {
        ProtoReader r = reader(0x0a, 0x01, 0x00);   // field 1 as bytes
        int tag = r.readTag();
        OnnxImportException e = assertThrows(OnnxImportException.class, () -> r.expect(tag, ProtoReader.VARINT));
        assertTrue(e.getMessage().contains("field 1 has wire type 2, expected 0"), e.getMessage());
    }

    @Test
    void embeddedMessagesAreBounded() {
        ProtoReader outer = reader(0x0a, 0x02, 0x08, 0x07, 0x10, 0x01);
        outer.readTag();
        ProtoReader inner = outer.readMessage("Inner");
        inner.readTag();
        assertEquals(7, inner.readVarint());
        assertFalse(inner.hasMore(), "the inner message ends at its length, not at the buffer's end");
        assertEquals(2, ProtoReader.field(outer.readTag()));
    }
}
