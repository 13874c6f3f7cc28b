/*
 * The ONNX importer on tiny random BERTs exported by torch.onnx.export
 * (tools/reference/tiny_bert_onnx_fixtures.py): the model.safetensors we write must equal, byte for
 * byte, what transformers' BertModel.save_pretrained wrote for the same model, so the mapping of
 * names, transposes and shapes is exactly right; the inferred config must match the original's.
 * Then the error paths: bad protobuf, missing tensors, an unreadable head count, existing output.
 */
package dev.kanna.io.onnx;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kanna.bert.BertConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OnnxBertImporterTest {

    static Path fixture(String name) throws URISyntaxException {
        var url = OnnxBertImporterTest.class.getResource("/onnx/" + name);
        if (url == null) throw new IllegalStateException("missing test resource onnx/" + name);
        return Path.of(url.toURI());
    }

    private static OnnxBertImporter.Summary importTiny(String name, Path out, Integer heads) throws Exception {
        return OnnxBertImporter.importModel(fixture(name + "/model.onnx"), fixture(name + "/tokenizer.json"), out,
                new OnnxBertImporter.Options(heads, false, s -> { }));
    }

    /** The weights, vocab, tokenizer and config of one fixture, compared with what transformers saved. */
    private static void assertSameAsSavePretrained(String name, Path out) throws Exception {
        assertArrayEquals(Files.readAllBytes(fixture(name + "/expected/model.safetensors")),
                Files.readAllBytes(out.resolve("model.safetensors")), "model.safetensors byte for byte");
        assertEquals(Files.readString(fixture(name + "/expected/vocab.txt")), Files.readString(out.resolve("vocab.txt")));
        assertArrayEquals(Files.readAllBytes(fixture(name + "/tokenizer.json")), Files.readAllBytes(out.resolve("tokenizer.json")));

        BertConfig want = BertConfig.read(fixture(name + "/expected/config.json"));
        BertConfig got = BertConfig.read(out);
        assertEquals(want.vocabSize(), got.vocabSize());
        assertEquals(want.hiddenSize(), got.hiddenSize());
        assertEquals(want.numHiddenLayers(), got.numHiddenLayers());
        assertEquals(want.numAttentionHeads(), got.numAttentionHeads());
        assertEquals(want.intermediateSize(), got.intermediateSize());
        assertEquals(want.hiddenAct(), got.hiddenAct());
        assertEquals(want.layerNormEps(), got.layerNormEps(), 0.0);
        assertEquals(want.maxPositionEmbeddings(), got.maxPositionEmbeddings());
        assertEquals(want.typeVocabSize(), got.typeVocabSize());
        assertEquals(want.padTokenId(), got.padTokenId());
        assertEquals(want.architectures(), got.architectures());
        assertEquals("bert", got.raw().get("model_type").asText());
    }

    @Test
    void tinyOpset11ExportMatchesSavePretrained(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("tiny_a");
        OnnxBertImporter.Summary s = importTiny("tiny_a", out, null);
        assertSameAsSavePretrained("tiny_a", out);
        assertEquals("attention Reshape", s.headsFrom());
        assertEquals(37, s.tensors(), "5 embedding tensors + 16 per layer, no pooler");
        JsonNode tokenizerConfig = new ObjectMapper().readTree(out.resolve("tokenizer_config.json").toFile());
        assertEquals("BertTokenizer", tokenizerConfig.get("tokenizer_class").asText());
        assertTrue(tokenizerConfig.get("do_lower_case").asBoolean());
        assertEquals("[CLS]", tokenizerConfig.get("cls_token").asText());
        assertEquals(32, tokenizerConfig.get("model_max_length").asInt());
    }

    @Test
    void tinyOpset17PrefixedExportWithPoolerMatchesSavePretrained(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("tiny_b");
        OnnxBertImporter.Summary s = importTiny("tiny_b", out, null);
        assertSameAsSavePretrained("tiny_b", out);
        assertEquals(55, s.tensors(), "5 + 16 x 3 + pooler");
        assertEquals(List.of("classifier.weight", "classifier.bias"), s.ignored(), "the head after the BERT is left out");
        assertEquals(45, s.vocabTokens(), "fewer tokens than the 48 embedding rows is allowed");
        assertEquals(3, BertConfig.read(out).padTokenId(), "pad id from the tokenizer");
        JsonNode tokenizerConfig = new ObjectMapper().readTree(out.resolve("tokenizer_config.json").toFile());
        assertFalse(tokenizerConfig.get("do_lower_case").asBoolean(), "cased tokenizer");
        assertFalse(tokenizerConfig.get("strip_accents").asBoolean(true));
    }

    @Test
    void headCountCanBeGivenWhenTheGraphDoesNotShowIt(@TempDir Path dir) throws Exception {
        Path onnx = fixture("broken/no_heads.onnx");
        Path tokenizer = fixture("tiny_a/tokenizer.json");
        OnnxImportException e = assertThrows(OnnxImportException.class, () -> OnnxBertImporter.importModel(onnx, tokenizer,
                dir.resolve("a"), OnnxBertImporter.Options.defaults()));
        assertOneLineNaming(e, onnx, "--num-heads");

        Path out = dir.resolve("b");
        OnnxBertImporter.Summary s = OnnxBertImporter.importModel(onnx, tokenizer, out,
                new OnnxBertImporter.Options(4, false, m -> { }));
        assertEquals("--num-heads", s.headsFrom());
        assertSameAsSavePretrained("tiny_a", out);
    }

    @Test
    void headCountThatContradictsTheGraphOrTheSizeIsRefused(@TempDir Path dir) throws Exception {
        OnnxImportException contradicts = assertThrows(OnnxImportException.class, () -> importTiny("tiny_a", dir.resolve("a"), 2));
        assertOneLineNaming(contradicts, fixture("tiny_a/model.onnx"), "contradicts");
        OnnxImportException indivisible = assertThrows(OnnxImportException.class, () -> importTiny("tiny_a", dir.resolve("b"), 5));
        assertOneLineNaming(indivisible, fixture("tiny_a/model.onnx"), "does not divide hidden size 16");
        assertFalse(Files.exists(dir.resolve("a")) || Files.exists(dir.resolve("b")));
    }

    @Test
    void missingBiasIsNamed(@TempDir Path dir) throws Exception {
        Path onnx = fixture("broken/missing_bias.onnx");
        OnnxImportException e = assertThrows(OnnxImportException.class, () -> OnnxBertImporter.importModel(onnx,
                fixture("tiny_a/tokenizer.json"), dir.resolve("out"), OnnxBertImporter.Options.defaults()));
        // the anonymous weight of that layer can no longer be named: the node is reported
        assertOneLineNaming(e, onnx, "/encoder/layer.1/output/dense/MatMul");
        assertTrue(e.getMessage().contains("expected"), e.getMessage());
    }

    @Test
    void truncatedOrCorruptProtobufIsOneLine(@TempDir Path dir) throws Exception {
        byte[] model = Files.readAllBytes(fixture("tiny_a/model.onnx"));
        List<Integer> cuts = new ArrayList<>(List.of(1, 2, 7, 100, model.length / 3, model.length / 2, model.length - 1));
        for (int cut : cuts) {
            Path truncated = Files.write(dir.resolve("cut" + cut + ".onnx"), Arrays.copyOf(model, cut));
            OnnxImportException e = assertThrows(OnnxImportException.class, () -> OnnxBertImporter.importModel(truncated,
                    fixture("tiny_a/tokenizer.json"), dir.resolve("out"), OnnxBertImporter.Options.defaults()),
                    "cut at " + cut);
            assertOneLineNaming(e, truncated, "");
        }
        byte[] garbage = new byte[4096];
        new java.util.Random(7).nextBytes(garbage);
        Path corrupt = Files.write(dir.resolve("garbage.onnx"), garbage);
        assertOneLineNaming(assertThrows(OnnxImportException.class, () -> OnnxBertImporter.importModel(corrupt,
                fixture("tiny_a/tokenizer.json"), dir.resolve("out"), OnnxBertImporter.Options.defaults())), corrupt, "");
        Path empty = Files.write(dir.resolve("empty.onnx"), new byte[0]);
        assertOneLineNaming(assertThrows(OnnxImportException.class, () -> OnnxBertImporter.importModel(empty,
                fixture("tiny_a/tokenizer.json"), dir.resolve("out"), OnnxBertImporter.Options.defaults())), empty, "empty");
        assertFalse(Files.exists(dir.resolve("out")));
    }

    @Test
    void aModelThatIsNotABertIsRefused(@TempDir Path dir) throws Exception {
        // A valid protobuf ModelProto with an empty graph: field 7, length 0.
        Path notBert = Files.write(dir.resolve("empty_graph.onnx"), new byte[]{0x3a, 0x00});
        OnnxImportException e = assertThrows(OnnxImportException.class, () -> OnnxBertImporter.importModel(notBert,
                fixture("tiny_a/tokenizer.json"), dir.resolve("out"), OnnxBertImporter.Options.defaults()));
        assertOneLineNaming(e, notBert, "embeddings.word_embeddings.weight");
    }

    @Test
    void existingOutputNeedsOverwriteAndIsReplacedWhole(@TempDir Path dir) throws Exception {
        Path out = Files.createDirectories(dir.resolve("model"));
        Files.writeString(out.resolve("stale.txt"), "old");
        OnnxImportException e = assertThrows(OnnxImportException.class, () -> importTiny("tiny_a", out, null));
        assertOneLineNaming(e, out, "--overwrite");
        assertEquals("old", Files.readString(out.resolve("stale.txt")), "untouched");

        OnnxBertImporter.importModel(fixture("tiny_a/model.onnx"), fixture("tiny_a/tokenizer.json"), out,
                new OnnxBertImporter.Options(null, true, s -> { }));
        assertFalse(Files.exists(out.resolve("stale.txt")), "replaced as a whole, not merged");
        assertSameAsSavePretrained("tiny_a", out);
        try (var siblings = Files.list(dir)) {
            assertEquals(List.of(out), siblings.toList(), "no temporary directories left");
        }
    }

    @Test
    void tokenizerThatIsNotWordPieceIsRefused(@TempDir Path dir) throws Exception {
        Path bpe = Files.writeString(dir.resolve("tokenizer.json"), "{\"model\": {\"type\": \"BPE\", \"vocab\": {}}}");
        OnnxImportException e = assertThrows(OnnxImportException.class, () -> OnnxBertImporter.importModel(
                fixture("tiny_a/model.onnx"), bpe, dir.resolve("out"), OnnxBertImporter.Options.defaults()));
        assertOneLineNaming(e, bpe, "WordPiece");

        Path gap = Files.writeString(dir.resolve("gap.json"),
                "{\"model\": {\"type\": \"WordPiece\", \"vocab\": {\"[UNK]\": 0, \"a\": 2}}}");
        assertOneLineNaming(assertThrows(OnnxImportException.class, () -> OnnxBertImporter.importModel(
                fixture("tiny_a/model.onnx"), gap, dir.resolve("out"), OnnxBertImporter.Options.defaults())), gap, "id 1");
        assertFalse(Files.exists(dir.resolve("out")));
    }

    private static void assertOneLineNaming(OnnxImportException e, Path file, String fragment) {
        String m = e.getMessage();
        assertTrue(m.startsWith(file + ": "), "names the file: " + m);
        assertTrue(m.contains(fragment), "mentions '" + fragment + "': " + m);
        assertFalse(m.contains("\n"), "one line: " + m);
    }
}
