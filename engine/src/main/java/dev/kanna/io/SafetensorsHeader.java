/*
 * Parses and validates a safetensors JSON header, rule by rule in the reference reader's order.
 * Streaming (Jackson's token parser) so that duplicate names are seen (a tree or map would keep the
 * last silently) and so that nothing sized by the header is allocated before it is validated.
 */
package dev.kanna.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import dev.kanna.io.SafetensorsFormatException.Rule;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

record SafetensorsHeader(List<TensorInfo> tensors, Map<String, String> metadata, long dataLength) {

    static final String METADATA_KEY = "__metadata__";
    static final long MAX_HEADER_BYTES = 100_000_000L;
    private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);
    private static final BigInteger U64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    // The header may legally be 100 MB; Jackson's default limits on string and name lengths are lower.
    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxStringLength((int) MAX_HEADER_BYTES)
                    .maxNameLength((int) MAX_HEADER_BYTES)
                    .build())
            .build();

    /** A tensor entry as written, before the offsets are checked. A dim of -1 marks one beyond 2^63. */
    private record Entry(String name, SafetensorsDtype dtype, long[] shape, long begin, long end) {
    }

    /** Decodes, parses and validates the header bytes of {@code file} whose data region holds {@code dataRegion} bytes. */
    static SafetensorsHeader parse(Path file, byte[] headerBytes, long dataRegion) {
        String json = decodeUtf8(file, headerBytes);
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new SafetensorsFormatException(file, Rule.HEADER_STRUCTURE,
                        "header is not a JSON object (found " + describe(p.currentToken()) + ")");
            }
            Set<String> seen = new HashSet<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                if (!seen.add(name)) {
                    throw new SafetensorsFormatException(file, name, Rule.DUPLICATE_NAME,
                            "name appears more than once in the header");
                }
                p.nextToken();
                if (name.equals(METADATA_KEY)) {
                    readMetadata(file, p, metadata);
                } else {
                    entries.add(readEntry(file, name, p));
                }
            }
            if (p.nextToken() != null) {
                throw new SafetensorsFormatException(file, Rule.HEADER_NOT_JSON,
                        "unexpected content after the header's JSON object");
            }
        } catch (JsonProcessingException e) {
            throw new SafetensorsFormatException(file, Rule.HEADER_NOT_JSON,
                    "header is not valid JSON: " + e.getOriginalMessage() + " at column "
                            + e.getLocation().getColumnNr());
        } catch (IOException e) {
            throw new IllegalStateException("reading an in-memory string cannot fail", e);
        }
        List<TensorInfo> tensors = validateOffsets(file, entries, dataRegion);
        return new SafetensorsHeader(tensors, Collections.unmodifiableMap(metadata), dataRegion);
    }

    private static String decodeUtf8(Path file, byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new SafetensorsFormatException(file, Rule.HEADER_NOT_UTF8, "header bytes are not valid UTF-8");
        }
    }

    private static void readMetadata(Path file, JsonParser p, Map<String, String> into) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NULL) return;   // the reference accepts null as "no metadata"
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw new SafetensorsFormatException(file, Rule.METADATA_NOT_STRINGS,
                    METADATA_KEY + " is " + describe(p.currentToken()) + ", expected an object of strings");
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            JsonToken value = p.nextToken();
            if (value != JsonToken.VALUE_STRING) {
                throw new SafetensorsFormatException(file, Rule.METADATA_NOT_STRINGS,
                        METADATA_KEY + " key '" + key + "' holds " + describe(value) + ", expected a string");
            }
            if (into.putIfAbsent(key, p.getText()) != null) {
                throw new SafetensorsFormatException(file, Rule.DUPLICATE_NAME,
                        METADATA_KEY + " key '" + key + "' appears more than once");
            }
        }
    }

    private static Entry readEntry(Path file, String name, JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw new SafetensorsFormatException(file, name, Rule.HEADER_STRUCTURE,
                    "entry is " + describe(p.currentToken()) + ", expected an object {dtype, shape, data_offsets}");
        }
        SafetensorsDtype dtype = null;
        long[] shape = null;
        long[] offsets = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            switch (field) {
                case "dtype" -> {
                    if (dtype != null) throw duplicateField(file, name, field);
                    if (value != JsonToken.VALUE_STRING) {
                        throw new SafetensorsFormatException(file, name, Rule.HEADER_STRUCTURE,
                                "dtype is " + describe(value) + ", expected a string");
                    }
                    dtype = SafetensorsDtype.fromHeaderName(p.getText());
                    if (dtype == null) {
                        throw new SafetensorsFormatException(file, name, Rule.UNKNOWN_DTYPE,
                                "unknown dtype \"" + p.getText() + "\"");
                    }
                }
                case "shape" -> {
                    if (shape != null) throw duplicateField(file, name, field);
                    shape = readIntegers(file, name, field, p, -1, true);
                }
                case "data_offsets" -> {
                    if (offsets != null) throw duplicateField(file, name, field);
                    offsets = readIntegers(file, name, field, p, 2, false);
                }
                default -> p.skipChildren();   // the reference ignores unknown fields of an entry
            }
        }
        String missing = dtype == null ? "dtype" : shape == null ? "shape" : offsets == null ? "data_offsets" : null;
        if (missing != null) {
            throw new SafetensorsFormatException(file, name, Rule.HEADER_STRUCTURE, "missing field '" + missing + "'");
        }
        return new Entry(name, dtype, shape, offsets[0], offsets[1]);
    }

    /** Reads an array of non-negative integers; {@code count} = -1 for any length. */
    private static long[] readIntegers(Path file, String name, String field, JsonParser p, int count,
                                       boolean allowBeyondLong) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw new SafetensorsFormatException(file, name, Rule.HEADER_STRUCTURE,
                    field + " is " + describe(p.currentToken()) + ", expected an array of integers");
        }
        List<Long> values = new ArrayList<>();
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t != JsonToken.VALUE_NUMBER_INT) {
                throw new SafetensorsFormatException(file, name, Rule.HEADER_STRUCTURE,
                        field + " holds " + describe(t) + ", expected an integer");
            }
            BigInteger v = p.getBigIntegerValue();
            if (v.signum() < 0) {
                throw new SafetensorsFormatException(file, name, Rule.NEGATIVE_NUMBER,
                        field + " holds the negative number " + v);
            }
            if (v.compareTo(U64_MAX) > 0) {
                throw new SafetensorsFormatException(file, name, Rule.HEADER_STRUCTURE,
                        field + " holds " + v + ", which does not fit in 64 bits");
            }
            if (v.compareTo(LONG_MAX) > 0) {
                if (!allowBeyondLong) {
                    throw new SafetensorsFormatException(file, name, Rule.OFFSETS_NOT_CONTIGUOUS,
                            field + " holds " + v + ", beyond any file's size");
                }
                values.add(-1L);   // a dimension this large always overflows the byte size below
            } else {
                values.add(v.longValue());
            }
        }
        if (count >= 0 && values.size() != count) {
            throw new SafetensorsFormatException(file, name, Rule.HEADER_STRUCTURE,
                    field + " has " + values.size() + " elements, expected " + count);
        }
        long[] out = new long[values.size()];
        for (int i = 0; i < out.length; i++) out[i] = values.get(i);
        return out;
    }

    /** Offsets tile [0, end) exactly when sorted; each byte range matches shape x dtype; end = data region. */
    private static List<TensorInfo> validateOffsets(Path file, List<Entry> entries, long dataRegion) {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        List<TensorInfo> out = new ArrayList<>(sorted.size());
        long expectedBegin = 0;
        for (Entry e : sorted) {
            if (e.begin != expectedBegin) {
                String what = expectedBegin == 0 ? "the first tensor's data must start at offset 0"
                        : e.begin > expectedBegin ? "a gap of " + (e.begin - expectedBegin) + " bytes precedes it"
                        : "it overlaps the previous tensor by " + (expectedBegin - e.begin) + " bytes";
                throw new SafetensorsFormatException(file, e.name, Rule.OFFSETS_NOT_CONTIGUOUS,
                        "data_offsets [" + e.begin + ", " + e.end + "]: expected begin " + expectedBegin + "; " + what);
            }
            if (e.end < e.begin) {
                throw new SafetensorsFormatException(file, e.name, Rule.END_BEFORE_BEGIN,
                        "data_offsets [" + e.begin + ", " + e.end + "] end before they begin");
            }
            expectedBegin = e.end;
            long bits;
            try {
                long elements = 1;
                for (long d : e.shape) {
                    if (d < 0) throw new ArithmeticException();
                    elements = Math.multiplyExact(elements, d);
                }
                bits = Math.multiplyExact(elements, (long) e.dtype.bits());
            } catch (ArithmeticException overflow) {
                throw new SafetensorsFormatException(file, e.name, Rule.SIZE_OVERFLOW,
                        "shape " + shapeText(e.shape) + " of " + e.dtype + " overflows 64 bits");
            }
            if (bits % 8 != 0) {
                throw new SafetensorsFormatException(file, e.name, Rule.SUB_BYTE_MISALIGNED,
                        "shape " + shapeText(e.shape) + " of " + e.dtype + " takes " + bits + " bits, not whole bytes");
            }
            long bytes = bits / 8;
            if (e.end - e.begin != bytes) {
                throw new SafetensorsFormatException(file, e.name, Rule.BYTE_LENGTH_MISMATCH,
                        "data_offsets [" + e.begin + ", " + e.end + "] hold " + (e.end - e.begin)
                                + " bytes, but shape " + shapeText(e.shape) + " of " + e.dtype + " needs " + bytes);
            }
            out.add(new TensorInfo(e.name, e.dtype, e.shape, e.begin, bytes));
        }
        if (expectedBegin != dataRegion) {
            String what = dataRegion > expectedBegin
                    ? (dataRegion - expectedBegin) + " trailing bytes follow the last tensor"
                    : "the file ends " + (expectedBegin - dataRegion) + " bytes before the last tensor does";
            throw new SafetensorsFormatException(file, Rule.DATA_REGION_SIZE,
                    "tensors cover " + expectedBegin + " bytes of a " + dataRegion + "-byte data region; " + what);
        }
        return out;
    }

    private static SafetensorsFormatException duplicateField(Path file, String name, String field) {
        return new SafetensorsFormatException(file, name, Rule.HEADER_STRUCTURE,
                "field '" + field + "' appears more than once");
    }

    private static String shapeText(long[] shape) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) sb.append(", ");
            sb.append(shape[i] < 0 ? "(>2^63)" : Long.toString(shape[i]));
        }
        return sb.append(']').toString();
    }

    private static String describe(JsonToken t) {
        if (t == null) return "nothing";
        return switch (t) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT -> "an integer";
            case VALUE_NUMBER_FLOAT -> "a non-integer number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> t.toString();
        };
    }
}
