/*
 * A safetensors file that breaks one of the format's rules. The message is one line:
 * "<file>: tensor '<name>': <what is wrong> (rule: <rule>)", so a CLI can print it as is.
 */
package dev.kanna.io;

import java.nio.file.Path;

public final class SafetensorsFormatException extends RuntimeException {

    /** The rules of the reference reader (in the order it checks them), plus our duplicate-name rule. */
    public enum Rule {
        FILE_TOO_SMALL("the file holds at least the 8-byte header length"),
        HEADER_TOO_LARGE("the header length is at most 100,000,000 bytes"),
        HEADER_PAST_END("the header lies inside the file"),
        HEADER_NOT_UTF8("the header is UTF-8"),
        HEADER_NOT_JSON("the header is valid JSON"),
        HEADER_STRUCTURE("the header is a JSON object {name: {dtype, shape, data_offsets}} plus an optional __metadata__"),
        UNKNOWN_DTYPE("dtype is one of the safetensors element types"),
        NEGATIVE_NUMBER("shape and data_offsets hold non-negative integers"),
        METADATA_NOT_STRINGS("__metadata__ maps strings to strings"),
        DUPLICATE_NAME("each tensor name and metadata key appears once"),
        OFFSETS_NOT_CONTIGUOUS("tensors, sorted by offset, tile the data region from 0 with no gap or overlap"),
        END_BEFORE_BEGIN("data_offsets end >= begin"),
        SIZE_OVERFLOW("element count x dtype size fits in 64 bits"),
        SUB_BYTE_MISALIGNED("a sub-byte tensor fills whole bytes"),
        BYTE_LENGTH_MISMATCH("data_offsets length = element count x dtype size"),
        DATA_REGION_SIZE("the data region ends exactly at the end of the file");

        private final String expectation;

        Rule(String expectation) {
            this.expectation = expectation;
        }

        /** What the format requires, in words. */
        public String expectation() {
            return expectation;
        }
    }

    private final Path file;
    private final String tensor;
    private final Rule rule;

    public SafetensorsFormatException(Path file, String tensor, Rule rule, String problem) {
        super(format(file, tensor, rule, problem));
        this.file = file;
        this.tensor = tensor;
        this.rule = rule;
    }

    public SafetensorsFormatException(Path file, Rule rule, String problem) {
        this(file, null, rule, problem);
    }

    private static String format(Path file, String tensor, Rule rule, String problem) {
        StringBuilder sb = new StringBuilder().append(file).append(": ");
        if (tensor != null) sb.append("tensor '").append(oneLine(tensor)).append("': ");
        sb.append(oneLine(problem)).append(" (rule: ").append(rule.expectation()).append(')');
        return sb.toString();
    }

    /** Keeps messages on one line even when a name or parser message carries control characters. */
    static String oneLine(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            sb.append(c < 0x20 || c == 0x7f ? ' ' : c);
        }
        return sb.toString();
    }

    public Path file() {
        return file;
    }

    /** The tensor concerned, or null when the rule is about the file as a whole. */
    public String tensor() {
        return tensor;
    }

    public Rule rule() {
        return rule;
    }
}
