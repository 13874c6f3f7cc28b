/*
 * Loading: tokenizer.json, vocab.txt (+ tokenizer_config.json), model directories, and every kind
 * of bad file, each failing with one line that names the file and the field or line.
 */
package dev.kanna.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenizerFilesTest {

    @TempDir
    Path dir;

    /** The MiniLM vocabulary as vocab.txt lines, in id order. */
    private static String vocabTxt() {
        Map<Integer, String> byId = new TreeMap<>(Fixtures.vocabTokens());
        StringBuilder out = new StringBuilder();
        byId.values().forEach(t -> out.append(t).append('\n'));
        return out.toString();
    }

    @Test
    void vocabTxtMatchesTokenizerJsonOnTheCorpus() throws IOException {
        Path vocab = dir.resolve("vocab.txt");
        Files.writeString(vocab, vocabTxt());
        BertTokenizer uncased = BertTokenizer.load(vocab);  // no tokenizer_config.json: do_lower_case = true
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"do_lower_case\": false, \"tokenizer_class\": \"BertTokenizer\"}");
        BertTokenizer cased = BertTokenizer.load(dir);      // a directory with vocab.txt and its config
        assertEquals(NormalizerOptions.cased(), cased.normalizerOptions().orElseThrow());
        assertEquals(BertTokenizer.fromVocab(vocab, NormalizerOptions.cased()).encode("Café [SEP] x"), cased.encode("Café [SEP] x"));
        JsonNode texts = Fixtures.corpus().get("texts");
        for (int i = 0; i < texts.size(); i++) {
            String text = texts.get(i).asText();
            assertEquals(Fixtures.tokenizer("uncased").encode(text), uncased.encode(text), "uncased text " + i);
            assertEquals(Fixtures.tokenizer("cased").encode(text), cased.encode(text), "cased text " + i);
        }
        assertEquals("hello, world!", uncased.decode(new int[]{101, 7592, 1010, 2088, 999, 102}, true));
    }

    @Test
    void directoryPrefersTokenizerJson() throws IOException {
        Fixtures.minilmFile(dir);
        Files.writeString(dir.resolve("vocab.txt"), "[CLS]\n[SEP]\n");
        assertEquals(30522, BertTokenizer.load(dir).vocabSize());
    }

    @Test
    void vocabTxtLinesAsTransformersReadsThem() throws IOException {
        Path vocab = dir.resolve("vocab.txt");
        // BOM, CRLF and CR line ends, a duplicate token (keeps its last id), a trailing space kept.
        Files.writeString(vocab, "\uFEFF[PAD]\r\n[UNK]\r[CLS]\n[SEP]\nhello\nworld \nhello\n##s\n");
        BertTokenizer t = BertTokenizer.load(vocab);
        assertEquals(OptionalInt.of(6), t.tokenToId("hello"));
        assertEquals(OptionalInt.of(5), t.tokenToId("world "));
        assertFalse(t.idToToken(4).isPresent());
        assertEquals(7, t.vocabSize());
        assertArrayEquals(new int[]{2, 6, 7, 1, 3}, t.encode("Hellos world").ids());
    }

    @Test
    void tokenizerConfigOptions() throws IOException {
        Files.writeString(dir.resolve("vocab.txt"), "<unk>\n[CLS]\n[SEP]\nhello\n<extra>\n");
        Files.writeString(dir.resolve("tokenizer_config.json"), """
                {"do_lower_case": true, "strip_accents": false, "tokenize_chinese_chars": false,
                 "unk_token": {"content": "<unk>"},
                 "added_tokens_decoder": {"4": {"content": "<extra>", "special": true, "normalized": false}}}""");
        BertTokenizer t = BertTokenizer.load(dir.resolve("vocab.txt"));
        assertEquals(new NormalizerOptions(true, false, false, true), t.normalizerOptions().orElseThrow());
        assertArrayEquals(new int[]{1, 3, 4, 0, 2}, t.encode("HELLO<extra>what").ids());
        assertEquals("hello", t.decode(new int[]{1, 3, 4, 0, 2}, true));  // <unk> is special too
        assertEquals("[CLS] hello <extra> <unk> [SEP]", t.decode(new int[]{1, 3, 4, 0, 2}, false));
    }

    @Test
    void missingUnknownTokenIsAnErrorOnlyWhenNeeded() throws IOException {
        Path vocab = dir.resolve("vocab.txt");
        Files.writeString(vocab, "[CLS]\n[SEP]\nhello\n");
        BertTokenizer t = BertTokenizer.load(vocab);
        assertArrayEquals(new int[]{0, 2, 1}, t.encode("hello").ids());
        var e = assertThrows(TokenizationException.class, () -> t.encode("hello there"));
        assertTrue(e.getMessage().contains("[UNK]") && e.getMessage().contains("there"), e.getMessage());
    }

    @Test
    void missingClsOrSepIsALoadError() throws IOException {
        Path vocab = dir.resolve("vocab.txt");
        Files.writeString(vocab, "[UNK]\n[SEP]\nhello\n");
        expectError(vocab, "vocab.txt", "[CLS]");
        Files.writeString(vocab, "[UNK]\n[CLS]\nhello\n");
        expectError(vocab, "vocab.txt", "[SEP]");
    }

    @Test
    void badVocabTxt() throws IOException {
        Path vocab = dir.resolve("vocab.txt");
        Files.write(vocab, new byte[0]);
        expectError(vocab, "vocab.txt", "empty");
        Files.write(vocab, "[CLS]\n[SEP]\nok\nbad\u00ff".getBytes(StandardCharsets.ISO_8859_1));
        expectError(vocab, "vocab.txt", "line 4");
        expectError(dir.resolve("missing.txt"), "missing.txt", "no such file");
        Path empty = Files.createDirectory(dir.resolve("empty-model"));
        expectError(empty, empty.toString(), "no tokenizer.json or vocab.txt");
        Path other = dir.resolve("model.bin");
        Files.writeString(other, "x");
        expectError(other, "model.bin", "expected a tokenizer.json");
    }

    @Test
    void badTokenizerJson() throws IOException {
        expectJsonError(json -> json.put("normalizer", 1), "normalizer", "expected an object");
        expectJsonError(json -> ((ObjectNode) json.get("normalizer")).put("type", "NFKC"), "normalizer.type", "\"NFKC\" is not supported");
        expectJsonError(json -> ((ObjectNode) json.get("pre_tokenizer")).put("type", "Whitespace"), "pre_tokenizer.type", "Whitespace");
        expectJsonError(json -> ((ObjectNode) json.get("model")).put("type", "BPE"), "model.type", "\"BPE\" is not supported");
        expectJsonError(json -> ((ObjectNode) json.get("post_processor")).put("type", "RobertaProcessing"), "post_processor.type", "RobertaProcessing");
        expectJsonError(json -> ((ObjectNode) json.get("decoder")).put("type", "ByteLevel"), "decoder.type", "ByteLevel");
        expectJsonError(json -> json.remove("model"), "model", "missing");
        expectJsonError(json -> vocab(json).put("hello", -3), "model.vocab[\"hello\"]", "expected an id");
        expectJsonError(json -> vocab(json).put("hello", "7592"), "model.vocab[\"hello\"]", "expected an id");
        expectJsonError(json -> vocab(json).put("hello", 1L << 40), "model.vocab[\"hello\"]", "expected an id");
        expectJsonError(json -> vocab(json).put("hello", 2088), "model.vocab", "is also the id of");
        expectJsonError(json -> vocab(json).put("bad\uD800", 40000), "", "not valid JSON");  // HF rejects it too
        expectJsonError(json -> vocab(json).removeAll(), "model.vocab", "is empty");
        expectJsonError(json -> ((ObjectNode) json.get("normalizer")).put("lowercase", "yes"), "normalizer.lowercase", "expected true or false");
        expectJsonError(json -> ((ObjectNode) json.get("truncation")).put("strategy", "Middle"), "truncation.strategy", "Middle");
        expectJsonError(json -> ((ObjectNode) json.get("truncation")).put("max_length", -1), "truncation.max_length", "non-negative");
        expectJsonError(json -> ((ObjectNode) json.get("padding")).put("strategy", "Sometimes"), "padding.strategy", "Sometimes");
        expectJsonError(json -> ((ObjectNode) json.get("padding")).put("direction", "Up"), "padding.direction", "Up");
        expectJsonError(json -> ((ObjectNode) ((ArrayNode) json.get("added_tokens")).get(1)).remove("content"), "added_tokens[1].content", "missing");
        expectJsonError(json -> ((ObjectNode) json.get("post_processor").get("special_tokens")).remove("[SEP]"), "post_processor.single[2]", "[SEP]");
        Path broken = dir.resolve("tokenizer.json");
        Files.writeString(broken, "{\"model\": {\"vocab\": {\"a\": 0,}}");
        expectError(broken, "tokenizer.json", "not valid JSON at line 1");
        Files.writeString(broken, "[1, 2]");
        expectError(broken, "tokenizer.json", "expected an object");
        Files.writeString(broken, "");
        expectError(broken, "tokenizer.json", "empty");
        Files.writeString(broken, "{} {}");
        expectError(broken, "tokenizer.json", "not valid JSON");
    }

    @Test
    void minimalTokenizerJsonWithoutOptionalComponents() throws IOException {
        Path file = dir.resolve("tokenizer.json");
        Files.writeString(file, "{\"model\": {\"type\": \"WordPiece\", \"vocab\": {\"[UNK]\": 0, \"he\": 1, \"##llo\": 2}}}");
        BertTokenizer t = BertTokenizer.load(file);
        // No normalizer, no pre-tokenizer: the whole text is one word; no template: no special tokens.
        assertArrayEquals(new int[]{1, 2}, t.encode("hello").ids());
        assertArrayEquals(new int[]{0}, t.encode("hello world").ids());
        Encoding pair = t.encodePair("hello", "hello");
        assertArrayEquals(new int[]{1, 2, 1, 2}, pair.ids());
        assertArrayEquals(new int[]{0, 0, 1, 1}, pair.typeIds());
        assertEquals("he ##llo", t.decode(new int[]{1, 2}, false));  // no decoder: tokens joined by spaces
    }

    private static ObjectNode vocab(ObjectNode json) {
        return (ObjectNode) json.get("model").get("vocab");
    }

    private void expectJsonError(Consumer<ObjectNode> damage, String field, String problem) throws IOException {
        ObjectNode json = Fixtures.minilmJson();
        damage.accept(json);
        Path file = dir.resolve("tokenizer.json");
        Fixtures.JSON.writeValue(file.toFile(), json);
        var e = expectError(file, "tokenizer.json: " + field, problem);  // file, then field
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
    }

    private static TokenizerConfigException expectError(Path path, String where, String problem) {
        var e = assertThrows(TokenizerConfigException.class, () -> BertTokenizer.load(path));
        assertTrue(e.getMessage().contains(where) && e.getMessage().contains(problem),
                "expected \"" + where + "\" and \"" + problem + "\" in: " + e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), "one line: " + e.getMessage());
        return e;
    }
}
