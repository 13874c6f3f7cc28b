/*
 * One crafted file per rule of the reference reader (plus duplicate names), each made by
 * tools/reference/safetensors_fixtures.py, which also checks that the reference rejects it. Every
 * file must be refused with the rule named, the file named, the tensor named where there is one,
 * and a one-line message.
 */
package dev.kanna.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kanna.io.SafetensorsFormatException.Rule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafetensorsBadFileTest {

    /** file, rule broken, tensor the message must name (null: a file-level rule). */
    static Stream<Arguments> badFiles() {
        return Stream.of(
                Arguments.of("file_too_small", Rule.FILE_TOO_SMALL, null),
                Arguments.of("header_too_large", Rule.HEADER_TOO_LARGE, null),
                Arguments.of("header_past_end", Rule.HEADER_PAST_END, null),
                Arguments.of("header_not_utf8", Rule.HEADER_NOT_UTF8, null),
                Arguments.of("header_not_json", Rule.HEADER_NOT_JSON, null),
                Arguments.of("header_trailing_garbage", Rule.HEADER_NOT_JSON, null),
                Arguments.of("header_not_object", Rule.HEADER_STRUCTURE, null),
                Arguments.of("entry_not_object", Rule.HEADER_STRUCTURE, "a"),
                Arguments.of("entry_missing_shape", Rule.HEADER_STRUCTURE, "a"),
                Arguments.of("offsets_three_numbers", Rule.HEADER_STRUCTURE, "a"),
                Arguments.of("shape_not_integer", Rule.HEADER_STRUCTURE, "a"),
                Arguments.of("unknown_dtype", Rule.UNKNOWN_DTYPE, "a"),
                Arguments.of("negative_shape", Rule.NEGATIVE_NUMBER, "a"),
                Arguments.of("negative_offset", Rule.NEGATIVE_NUMBER, "a"),
                Arguments.of("metadata_not_string", Rule.METADATA_NOT_STRINGS, null),
                Arguments.of("metadata_nested", Rule.METADATA_NOT_STRINGS, null),
                Arguments.of("offsets_gap", Rule.OFFSETS_NOT_CONTIGUOUS, "b"),
                Arguments.of("offsets_overlap", Rule.OFFSETS_NOT_CONTIGUOUS, "b"),
                Arguments.of("offsets_not_from_zero", Rule.OFFSETS_NOT_CONTIGUOUS, "a"),
                Arguments.of("offsets_end_before_begin", Rule.END_BEFORE_BEGIN, "b"),
                Arguments.of("size_overflow", Rule.SIZE_OVERFLOW, "a"),
                Arguments.of("size_overflow_huge_dim", Rule.SIZE_OVERFLOW, "a"),
                Arguments.of("sub_byte_misaligned", Rule.SUB_BYTE_MISALIGNED, "a"),
                Arguments.of("byte_length_mismatch", Rule.BYTE_LENGTH_MISMATCH, "a"),
                Arguments.of("trailing_bytes", Rule.DATA_REGION_SIZE, null),
                Arguments.of("truncated_data", Rule.DATA_REGION_SIZE, null),
                Arguments.of("duplicate_name", Rule.DUPLICATE_NAME, "a"),
                Arguments.of("duplicate_metadata_key", Rule.DUPLICATE_NAME, null));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("badFiles")
    void rejectsWithTheRuleFileAndTensorNamed(String file, Rule rule, String tensor) throws Exception {
        Path path = resource("bad/" + file + ".safetensors");
        SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class, () -> SafetensorsFile.open(path));
        assertEquals(rule, e.rule(), e.getMessage());
        assertEquals(path, e.file());
        String message = e.getMessage();
        assertTrue(message.startsWith(path + ": "), "names the file: " + message);
        assertTrue(message.contains(rule.expectation()), "names the rule: " + message);
        assertFalse(message.contains("\n") || message.contains("\r"), "one line: " + message);
        if (tensor != null) {
            assertEquals(tensor, e.tensor());
            assertTrue(message.contains("tensor '" + tensor + "'"), "names the tensor: " + message);
        } else {
            assertNull(e.tensor(), message);
        }
    }

    /** The table above and the generator's manifest must describe the same files with the same rules. */
    @Test
    void tableMatchesTheGeneratorsManifest() throws Exception {
        JsonNode manifest = new ObjectMapper().readTree(resource("bad/manifest.json").toFile());
        Set<String> seen = new HashSet<>();
        badFiles().forEach(args -> {
            String file = args.get()[0] + ".safetensors";
            seen.add(file);
            assertTrue(manifest.has(file), file + " missing from manifest");
            assertEquals(((Rule) args.get()[1]).name(), manifest.get(file).get("rule").asText(), file);
        });
        manifest.fieldNames().forEachRemaining(f -> assertTrue(seen.contains(f), f + " not tested"));
    }

    @Test
    void everyRuleHasACraftedFile() {
        Set<Rule> covered = new HashSet<>();
        badFiles().forEach(args -> covered.add((Rule) args.get()[1]));
        assertEquals(Set.of(Rule.values()), covered);
    }

    @Test
    void emptyFileIsTooSmall(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        Path empty = Files.createFile(dir.resolve("empty.safetensors"));
        SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class, () -> SafetensorsFile.open(empty));
        assertEquals(Rule.FILE_TOO_SMALL, e.rule());
    }

    @Test
    void headerLengthAbove2Pow63IsTooLargeNotNegative(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        byte[] bytes = {0, 0, 0, 0, 0, 0, 0, (byte) 0x80, '{', '}'};
        Path file = Files.write(dir.resolve("huge.safetensors"), bytes);
        SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class, () -> SafetensorsFile.open(file));
        assertEquals(Rule.HEADER_TOO_LARGE, e.rule());
        assertTrue(e.getMessage().contains("9223372036854775808"), e.getMessage());
    }

    static Path resource(String name) throws URISyntaxException {
        var url = SafetensorsBadFileTest.class.getResource("/safetensors/" + name);
        if (url == null) throw new IllegalStateException("missing test resource " + name);
        return Path.of(url.toURI());
    }
}
