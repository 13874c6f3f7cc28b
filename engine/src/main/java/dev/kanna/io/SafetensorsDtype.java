/*
 * The element types a safetensors header may name. Declared in the reference library's order,
 * which is its alignment rank: the reference writer lays tensors out by descending rank, then name,
 * so `ordinal()` is the sort key our writer uses too.
 */
package dev.kanna.io;

import java.util.HashMap;
import java.util.Map;

public enum SafetensorsDtype {
    BOOL(8),
    F4(4),
    F6_E2M3(6),
    F6_E3M2(6),
    U8(8),
    I8(8),
    F8_E5M2(8),
    F8_E4M3(8),
    F8_E8M0(8),
    F8_E4M3FNUZ(8),
    F8_E5M2FNUZ(8),
    I16(16),
    U16(16),
    F16(16),
    BF16(16),
    I32(32),
    U32(32),
    F32(32),
    C64(64),
    F64(64),
    I64(64),
    U64(64);

    private static final Map<String, SafetensorsDtype> BY_NAME = new HashMap<>();

    static {
        for (SafetensorsDtype d : values()) BY_NAME.put(d.name(), d);
    }

    private final int bits;

    SafetensorsDtype(int bits) {
        this.bits = bits;
    }

    /** Width of one element in bits (sub-byte types pack several elements into a byte). */
    public int bits() {
        return bits;
    }

    /** The exact (case-sensitive) spelling in the header, or null when the header names no such type. */
    public static SafetensorsDtype fromHeaderName(String name) {
        return BY_NAME.get(name);
    }

    /** Bytes taken by {@code elements} elements; throws ArithmeticException on overflow. */
    public long byteLength(long elements) {
        long bitCount = Math.multiplyExact(elements, (long) bits);
        if (bitCount % 8 != 0) {
            throw new IllegalArgumentException(elements + " elements of " + this + " do not fill whole bytes");
        }
        return bitCount / 8;
    }

    /** Whether {@code floats()} can widen this type to fp32. */
    public boolean isFloatingPointReadable() {
        return this == F32 || this == F16 || this == BF16 || this == F64;
    }
}
