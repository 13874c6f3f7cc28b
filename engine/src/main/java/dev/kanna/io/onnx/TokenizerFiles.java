/*
 * The tokenizer side of an imported model, derived from a Hugging Face tokenizer.json (WordPiece):
 * vocab.txt (one token per line, line number = id, as BertTokenizer.save_vocabulary writes it) and a
 * tokenizer_config.json that lets transformers' AutoTokenizer load the directory as a BertTokenizer.
 * Read with Jackson here so that the engine needs nothing from the tokenizer module.
 */
package dev.kanna.io.onnx;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kanna.io.PrettyJson;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

final class TokenizerFiles {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** vocab in id order; the special tokens found; the normalizer's settings. */
    record Tokenizer(List<String> vocab, Map<String, String> specialTokens, boolean lowercase, JsonNode stripAccents,
                     boolean chineseChars) {

        /** The id of the padding token, or null when there is none. */
        Integer padId() {
            String pad = specialTokens.get("pad_token");
            return pad == null ? null : vocab.indexOf(pad);
        }

        String vocabTxt() {
            StringBuilder sb = new StringBuilder();
            for (String token : vocab) sb.append(token).append('\n');
            return sb.toString();
        }

        /** tokenizer_config.json as transformers writes it for a BertTokenizer (keys sorted). */
        String tokenizerConfigJson(int modelMaxLength) {
            ObjectNode c = JsonNodeFactory.instance.objectNode();
            c.put("clean_up_tokenization_spaces", true);
            if (specialTokens.containsKey("cls_token")) c.put("cls_token", specialTokens.get("cls_token"));
            c.put("do_basic_tokenize", true);
            c.put("do_lower_case", lowercase);
            if (specialTokens.containsKey("mask_token")) c.put("mask_token", specialTokens.get("mask_token"));
            c.put("model_max_length", modelMaxLength);
            c.putNull("never_split");
            if (specialTokens.containsKey("pad_token")) c.put("pad_token", specialTokens.get("pad_token"));
            if (specialTokens.containsKey("sep_token")) c.put("sep_token", specialTokens.get("sep_token"));
            c.set("strip_accents", stripAccents);
            c.put("tokenize_chinese_chars", chineseChars);
            c.put("tokenizer_class", "BertTokenizer");
            if (specialTokens.containsKey("unk_token")) c.put("unk_token", specialTokens.get("unk_token"));
            return PrettyJson.write(c);
        }
    }

    private TokenizerFiles() {
    }

    static Tokenizer read(Path file) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(file));
        } catch (JsonProcessingException e) {
            throw new OnnxImportException(file, "not valid JSON: " + e.getOriginalMessage()
                    + " (line " + e.getLocation().getLineNr() + "); expected a Hugging Face tokenizer.json");
        }
        JsonNode model = root == null ? null : root.get("model");
        if (model == null || !"WordPiece".equals(model.path("type").asText())) {
            throw new OnnxImportException(file, "model.type is " + (model == null ? "missing" : "\"" + model.path("type").asText() + "\"")
                    + "; expected a WordPiece (BERT) tokenizer.json");
        }
        List<String> vocab = vocabInIdOrder(file, model.get("vocab"), root.get("added_tokens"));

        Map<String, String> special = new HashMap<>();
        putIfKnown(special, "unk_token", model.path("unk_token").asText(null), vocab);
        putIfKnown(special, "pad_token", root.path("padding").path("pad_token").asText("[PAD]"), vocab);
        putIfKnown(special, "mask_token", "[MASK]", vocab);
        String[] clsSep = clsAndSep(root.get("post_processor"));
        putIfKnown(special, "cls_token", clsSep[0], vocab);
        putIfKnown(special, "sep_token", clsSep[1], vocab);

        JsonNode normalizer = bertNormalizer(root.get("normalizer"));
        boolean lowercase = normalizer != null && normalizer.path("lowercase").asBoolean(true);
        JsonNode stripAccents = normalizer == null ? JsonNodeFactory.instance.nullNode()
                : normalizer.path("strip_accents").isMissingNode() ? JsonNodeFactory.instance.nullNode()
                : normalizer.get("strip_accents");
        boolean chinese = normalizer != null && normalizer.path("handle_chinese_chars").asBoolean(true);
        return new Tokenizer(vocab, special, lowercase, stripAccents, chinese);
    }

    /** model.vocab (token -> id) plus added_tokens, as a gap-free list indexed by id. */
    private static List<String> vocabInIdOrder(Path file, JsonNode vocab, JsonNode added) {
        if (vocab == null || !vocab.isObject() || vocab.isEmpty()) {
            throw new OnnxImportException(file, "model.vocab is missing or empty; expected an object {token: id}");
        }
        List<Map.Entry<String, JsonNode>> entries = new ArrayList<>(vocab.properties());
        if (added != null && added.isArray()) {
            for (JsonNode t : added) entries.add(Map.entry(t.path("content").asText(), t.path("id")));
        }
        int size = 0;
        for (Map.Entry<String, JsonNode> e : entries) {
            JsonNode id = e.getValue();
            if (!id.canConvertToInt() || !id.isIntegralNumber() || id.intValue() < 0 || id.intValue() > 10_000_000) {
                throw new OnnxImportException(file, "token \"" + e.getKey() + "\" has id " + id + "; expected an id in 0..10,000,000");
            }
            size = Math.max(size, id.intValue() + 1);
        }
        String[] byId = new String[size];
        for (Map.Entry<String, JsonNode> e : entries) {
            int id = e.getValue().intValue();
            if (byId[id] != null && !byId[id].equals(e.getKey())) {
                throw new OnnxImportException(file, "id " + id + " belongs to both \"" + byId[id] + "\" and \"" + e.getKey()
                        + "\"; expected one token per id");
            }
            if (e.getKey().contains("\n") || e.getKey().contains("\r")) {
                throw new OnnxImportException(file, "token with id " + id + " contains a line break, which vocab.txt cannot hold");
            }
            byId[id] = e.getKey();
        }
        for (int i = 0; i < size; i++) {
            if (byId[i] == null) {
                throw new OnnxImportException(file, "no token has id " + i + "; expected ids 0.." + (size - 1) + " without gaps");
            }
        }
        return List.of(byId);
    }

    /** [cls, sep] from a TemplateProcessing (first and last special token of "single") or BertProcessing. */
    private static String[] clsAndSep(JsonNode post) {
        String[] out = {"[CLS]", "[SEP]"};
        if (post == null) return out;
        if (post.has("cls") && post.has("sep")) {
            out[0] = post.get("cls").path(0).asText(out[0]);
            out[1] = post.get("sep").path(0).asText(out[1]);
        } else if (post.has("single")) {
            List<String> specials = new ArrayList<>();
            for (JsonNode piece : post.get("single")) {
                if (piece.has("SpecialToken")) specials.add(piece.get("SpecialToken").path("id").asText());
            }
            if (!specials.isEmpty()) {
                out[0] = specials.getFirst();
                out[1] = specials.getLast();
            }
        }
        return out;
    }

    private static JsonNode bertNormalizer(JsonNode normalizer) {
        if (normalizer == null || normalizer.isNull()) return null;
        if ("BertNormalizer".equals(normalizer.path("type").asText())) return normalizer;
        for (JsonNode n : normalizer.path("normalizers")) {
            if ("BertNormalizer".equals(n.path("type").asText())) return n;
        }
        return null;
    }

    private static void putIfKnown(Map<String, String> special, String key, String token, List<String> vocab) {
        if (token != null && vocab.contains(token)) special.put(key, token);
    }
}
