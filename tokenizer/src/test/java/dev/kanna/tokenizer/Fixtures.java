/*
 * Test fixtures made by Hugging Face `tokenizers` (tools/reference/gen_tokenizer_corpus.py): the
 * MiniLM tokenizer.json and the conformance corpus, plus the configurations the corpus derives
 * from the MiniLM file (written to temporary tokenizer.json files and loaded like any other).
 */
package dev.kanna.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.GZIPInputStream;

final class Fixtures {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, JsonNode> CACHE = new ConcurrentHashMap<>();
    private static final Map<String, BertTokenizer> TOKENIZERS = new ConcurrentHashMap<>();

    private Fixtures() {
    }

    /** A gzipped JSON resource under dev/kanna/tokenizer/. */
    static JsonNode json(String resource) {
        return CACHE.computeIfAbsent(resource, r -> {
            try (InputStream in = Fixtures.class.getResourceAsStream(r)) {
                if (in == null) throw new IllegalStateException("missing test resource " + r);
                return JSON.readTree(new GZIPInputStream(in));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    static JsonNode corpus() {
        return json("conformance/corpus.json.gz");
    }

    /** The MiniLM tokenizer.json as HF wrote it. */
    static ObjectNode minilmJson() {
        return (ObjectNode) json("minilm/tokenizer.json.gz").deepCopy();
    }

    /** The MiniLM tokenizer.json in a temporary directory. */
    static Path minilmFile(Path dir) throws IOException {
        Path file = dir.resolve("tokenizer.json");
        JSON.writeValue(file.toFile(), minilmJson());
        return file;
    }

    /** id → token of the MiniLM vocabulary, read with Jackson (not with the code under test). */
    static Map<Integer, String> vocabTokens() {
        Map<Integer, String> tokens = new HashMap<>();
        json("minilm/tokenizer.json.gz").get("model").get("vocab").fields()
                .forEachRemaining(e -> tokens.put(e.getValue().asInt(), e.getKey()));
        return tokens;
    }

    /**
     * The tokenizer of a corpus configuration: the MiniLM file with the configuration's normalizer,
     * post-processor and added tokens, and no truncation or padding presets.
     */
    static BertTokenizer tokenizer(String config) {
        return TOKENIZERS.computeIfAbsent(config, name -> {
            JsonNode spec = corpus().get("configs").get(name);
            ObjectNode json = minilmJson();
            json.set("normalizer", spec.get("normalizer"));
            json.set("post_processor", spec.get("post_processor"));
            if (spec.has("added_tokens")) json.set("added_tokens", spec.get("added_tokens"));
            json.putNull("truncation");
            json.putNull("padding");
            try {
                Path dir = Files.createTempDirectory("kanna-tokenizer-" + name);
                Path file = dir.resolve("tokenizer.json");
                JSON.writeValue(file.toFile(), json);
                BertTokenizer tokenizer = BertTokenizer.load(file);
                Files.delete(file);
                Files.delete(dir);
                return tokenizer;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
