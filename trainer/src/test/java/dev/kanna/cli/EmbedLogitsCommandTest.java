/*
 * `kanna embed` and `kanna logits` end to end on a tiny random BERT (the engine's fixtures from
 * tools/reference/bert_fixtures.py): token ids on stdin, one JSON array per line on stdout,
 * against transformers' outputs; batching with padding; one-line errors.
 */
package dev.kanna.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kanna.io.SafetensorsFile;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EmbedLogitsCommandTest {
    /** 1e-4 max abs: fp32, different summation order from PyTorch (observed ~1e-6). */
    static final double TOLERANCE = 1e-4;

    @TempDir
    Path dir;
    Path cls, mlm;
    String input;          // the fixture's "cli." batch, one line of ids per sequence
    int[] lengths;
    SafetensorsFile expected;

    @BeforeEach
    void copyFixtures() throws IOException {
        cls = copyModel("cls");
        mlm = copyModel("mlm");
        try (InputStream in = getClass().getResourceAsStream("/bert/tiny-gelu/expected.safetensors")) {
            Files.copy(in, dir.resolve("expected.safetensors"));
        }
        expected = SafetensorsFile.open(dir.resolve("expected.safetensors"));
        int[] ids = expected.ints("cli.input_ids"), mask = expected.ints("cli.attention_mask");
        int b = (int) expected.info("cli.input_ids").shape()[0], t = ids.length / b;
        StringBuilder sb = new StringBuilder();
        lengths = new int[b];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < t && mask[i * t + j] == 1; j++) {
                sb.append(j == 0 ? "" : " ").append(ids[i * t + j]);
                lengths[i]++;
            }
            sb.append('\n');
        }
        input = sb.toString();
    }

    private Path copyModel(String kind) throws IOException {
        Path model = Files.createDirectories(dir.resolve(kind));
        for (String f : List.of("config.json", "model.safetensors")) {
            try (InputStream in = getClass().getResourceAsStream("/bert/tiny-gelu/" + kind + "/" + f)) {
                Files.copy(in, model.resolve(f));
            }
        }
        return model;
    }

    static CliRun withStdin(String stdin, String... args) {
        InputStream saved = System.in;
        try {
            System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
            return CliRun.run(args);
        } finally {
            System.setIn(saved);
        }
    }

    /** Every line's JSON values flattened, checked against the expected tensor. */
    static void assertLines(String out, float[] expected, String what) throws IOException {
        ObjectMapper json = new ObjectMapper();
        int k = 0;
        double worst = 0;
        for (String line : out.strip().split("\n")) {
            for (JsonNode v : flatten(json.readTree(line))) worst = Math.max(worst, Math.abs(v.floatValue() - expected[k++]));
        }
        assertEquals(expected.length, k, what + ": number of values");
        assertTrue(worst <= TOLERANCE, what + ": max abs error " + worst);
    }

    static List<JsonNode> flatten(JsonNode node) {
        if (!node.isArray()) return List.of(node);
        List<JsonNode> out = new java.util.ArrayList<>();
        node.forEach(n -> out.addAll(flatten(n)));
        return out;
    }

    @Test
    void embedMeanAndClsMatchTransformers() throws IOException {
        for (String pooling : List.of("mean", "cls")) {
            CliRun run = withStdin(input, "embed", "--model", cls.toString(), "--ids", "--pooling", pooling,
                    "--batch-size", "2", "--device", "cpu");
            assertEquals(0, run.exitCode(), run.err());
            assertEquals(3, run.out().lines().count());
            assertLines(run.out(), expected.floats("cli." + pooling + "_pooled"), pooling);
        }
    }

    @Test
    void classificationAndMaskedLmLogitsMatchTransformers() throws IOException {
        CliRun run = withStdin(input, "logits", "--model", cls.toString(), "--ids", "--device", "cpu");
        assertEquals(0, run.exitCode(), run.err());
        assertLines(run.out(), expected.floats("cli.cls_logits"), "classification logits");

        CliRun masked = withStdin(input, "logits", "--model", mlm.toString(), "--ids", "--mlm", "--batch-size", "1",
                "--device", "cpu");
        assertEquals(0, masked.exitCode(), masked.err());
        // the expected logits are padded to the batch's longest input; we print each input's own tokens
        float[] all = expected.floats("cli.mlm_logits");
        int t = all.length / lengths.length / 100;
        float[] unpadded = new float[java.util.Arrays.stream(lengths).sum() * 100];
        int k = 0;
        for (int i = 0; i < lengths.length; i++) {
            System.arraycopy(all, i * t * 100, unpadded, k, lengths[i] * 100);
            k += lengths[i] * 100;
        }
        assertLines(masked.out(), unpadded, "masked-LM logits");
    }

    @Test
    void errorsAreOneLine() {
        CliRun bad = withStdin("2 5 3\n2 abc 3\n", "embed", "--model", cls.toString(), "--ids", "--device", "cpu");
        assertEquals(1, bad.exitCode());
        assertEquals("kanna embed: stdin:2: 'abc' is not a token id", bad.err().strip());

        CliRun outside = withStdin("2 500 3\n", "logits", "--model", cls.toString(), "--ids", "--device", "cpu");
        assertEquals("kanna logits: stdin:1: token id 500 is outside the vocabulary of 100", outside.err().strip());

        CliRun tooLong = withStdin("2 5 3\n", "embed", "--model", cls.toString(), "--ids", "--max-length", "33");
        assertEquals("kanna embed: --max-length 33 is outside 1..32 (the model's max_position_embeddings)", tooLong.err().strip());

        CliRun longer = withStdin("2 5 6 7 3\n", "embed", "--model", cls.toString(), "--ids", "--max-length", "4", "--device", "cpu");
        assertEquals("kanna embed: stdin:1: 5 token ids exceed the max length 4", longer.err().strip());

        // Invalid UTF-8 is an error naming its line, as in tokenize and predict (not a silent U+FFFD).
        byte[] invalid = {'2', ' ', '5', '\n', '2', ' ', (byte) 0xC3, '(', '\n'};
        for (String command : List.of("embed", "logits")) {
            CliRun utf8 = CliRun.withBytes(invalid, command, "--model", cls.toString(), "--ids", "--device", "cpu");
            assertEquals(1, utf8.exitCode());
            assertEquals("kanna " + command + ": stdin:2: invalid UTF-8 (byte 0xC3 at byte 3 of the line)",
                    utf8.err().strip());
        }

        CliRun text = withStdin("hello\n", "embed", "--model", cls.toString());   // text, but no tokenizer files
        assertEquals(1, text.exitCode());
        assertEquals("kanna embed: " + cls + ": no tokenizer.json or vocab.txt in this directory", text.err().strip());

        CliRun missing = withStdin("", "embed", "--model", dir.resolve("nope").toString(), "--ids");
        assertEquals("kanna embed: " + dir.resolve("nope") + ": not a model directory", missing.err().strip());
        assertFalse(missing.err().contains("\tat "));
    }
}
