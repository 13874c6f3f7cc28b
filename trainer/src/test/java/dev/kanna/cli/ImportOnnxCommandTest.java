/*
 * `kanna import-onnx` end to end on the engine's tiny ONNX fixture: files written, summary and JSON
 * output, --overwrite, and one-line errors with a non-zero exit and no stack trace.
 */
package dev.kanna.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImportOnnxCommandTest {

    @TempDir
    Path dir;
    Path onnx;
    Path tokenizer;

    @BeforeEach
    void copyFixtures() throws Exception {
        onnx = CliRun.copyResource("/onnx/tiny_a/model.onnx", dir);
        tokenizer = CliRun.copyResource("/onnx/tiny_a/tokenizer.json", dir);
    }

    @Test
    void importsAndSummarises() throws Exception {
        Path out = dir.resolve("models").resolve("tiny");
        CliRun run = CliRun.run("import-onnx", "--onnx", onnx.toString(), "--tokenizer", tokenizer.toString(),
                "--out", out.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().startsWith("imported onnx_tiny_a_model.onnx -> " + out + ": BERT, 2 layers, hidden 16, 4 heads"),
                run.out());
        assertEquals(1, run.out().lines().count(), "one summary line");
        assertTrue(run.err().contains("kanna import-onnx: reading"), run.err());
        for (String f : List.of("config.json", "model.safetensors", "tokenizer.json", "vocab.txt", "tokenizer_config.json")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        Path expected = CliRun.copyResource("/onnx/tiny_a/expected/model.safetensors", dir);
        assertArrayEquals(Files.readAllBytes(expected), Files.readAllBytes(out.resolve("model.safetensors")));
    }

    @Test
    void jsonSummaryAndOverwrite() throws Exception {
        Path out = Files.createDirectories(dir.resolve("existing"));
        CliRun refused = CliRun.run("import-onnx", "--onnx", onnx.toString(), "--tokenizer", tokenizer.toString(),
                "--out", out.toString());
        assertEquals(1, refused.exitCode());
        assertEquals("kanna import-onnx: " + out + ": already exists; pass --overwrite to replace it", refused.err().strip());

        CliRun run = CliRun.run("import-onnx", "--onnx", onnx.toString(), "--tokenizer", tokenizer.toString(),
                "--out", out.toString(), "--overwrite", "--json");
        assertEquals(0, run.exitCode(), run.err());
        JsonNode json = new ObjectMapper().readTree(run.out());
        assertEquals(2, json.get("num_hidden_layers").asInt());
        assertEquals(4, json.get("num_attention_heads").asInt());
        assertEquals("attention Reshape", json.get("heads_from").asText());
        assertEquals(37, json.get("tensors").asInt());
        assertEquals(out.toString(), json.get("out").asText());
    }

    @Test
    void badInputIsOneLineWithoutStackTrace() throws Exception {
        Path garbage = Files.write(dir.resolve("bad.onnx"), new byte[]{0x0a, 0x7f, 0x01});
        CliRun run = CliRun.run("import-onnx", "--onnx", garbage.toString(), "--tokenizer", tokenizer.toString(),
                "--out", dir.resolve("out").toString());
        assertEquals(1, run.exitCode());
        assertEquals(1, run.err().strip().lines().filter(l -> l.startsWith("kanna import-onnx: " + garbage + ": ")).count(), run.err());
        assertFalse(run.err().contains("\tat "), "no stack trace without --debug: " + run.err());
        assertFalse(Files.exists(dir.resolve("out")));

        CliRun debug = CliRun.run("import-onnx", "--debug", "--onnx", garbage.toString(), "--tokenizer", tokenizer.toString(),
                "--out", dir.resolve("out").toString());
        assertTrue(debug.err().contains("\tat "), "stack trace with --debug");

        CliRun heads = CliRun.run("import-onnx", "--onnx", onnx.toString(), "--tokenizer", tokenizer.toString(),
                "--out", dir.resolve("out").toString(), "--num-heads", "3");
        assertEquals(1, heads.exitCode());
        assertTrue(heads.err().contains("--num-heads 3 does not divide hidden size 16"), heads.err());
    }

    @Test
    void helpDescribesEveryOption() {
        CliRun run = CliRun.run("import-onnx", "--help");
        assertEquals(0, run.exitCode());
        for (String option : List.of("--onnx", "--tokenizer", "--out", "--num-heads", "--overwrite", "--json")) {
            assertTrue(run.out().contains(option), option + " in " + run.out());
        }
        assertTrue(CliRun.run("--help").out().contains("import-onnx"));
    }
}
