/*
 * Reads HF tokenizer files into a BertTokenizer: tokenizer.json (every component checked against
 * what we support, with one clear error naming the file and the field otherwise), or vocab.txt with
 * the options of a tokenizer_config.json next to it, configured as transformers' BertTokenizerFast.
 */
package dev.kanna.tokenizer;

import com.fasterxml.jackson.core.JsonProcessingException;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

final class TokenizerFiles {

    static final String TOKENIZER_JSON = "tokenizer.json";
    static final String VOCAB_TXT = "vocab.txt";
    static final String TOKENIZER_CONFIG = "tokenizer_config.json";
    /** Refuse files larger than this before reading them (real tokenizer files are a few MB). */
    private static final long MAX_FILE_BYTES = 1L << 30;

    private TokenizerFiles() {
    }

    static BertTokenizer load(Path path) {
        if (Files.isDirectory(path)) {
            Path json = path.resolve(TOKENIZER_JSON);
            if (Files.isRegularFile(json)) return fromTokenizerJson(json);
            Path vocab = path.resolve(VOCAB_TXT);
            if (Files.isRegularFile(vocab)) return fromVocabFile(vocab);
            throw new TokenizerConfigException(path + ": no " + TOKENIZER_JSON + " or " + VOCAB_TXT + " in this directory");
        }
        if (!Files.exists(path)) throw new TokenizerConfigException(path + ": no such file or directory");
        String name = path.getFileName().toString();
        if (name.endsWith(".json")) return fromTokenizerJson(path);
        if (name.endsWith(".txt")) return fromVocabFile(path);
        throw new TokenizerConfigException(path + ": expected a tokenizer.json, a vocab.txt or a model directory");
    }

    // ---------------------------------------------------------------- tokenizer.json

    static BertTokenizer fromTokenizerJson(Path file) {
        Fields f = new Fields(file);
        Map<String, Object> root = f.asObject(readJson(file), "(top level)");

        Map<String, Object> modelNode = f.object(root, "model", "model");
        String modelType = f.string(modelNode, "type", "model.type", "WordPiece");
        if (!"WordPiece".equals(modelType)) throw f.unsupported("model.type", modelType, "WordPiece");
        Vocabulary vocab = readJsonVocab(f, f.object(modelNode, "vocab", "model.vocab"));
        String unk = f.string(modelNode, "unk_token", "model.unk_token", "[UNK]");
        String prefix = f.string(modelNode, "continuing_subword_prefix", "model.continuing_subword_prefix", "##");
        int maxChars = f.integer(modelNode, "max_input_chars_per_word", "model.max_input_chars_per_word", 100);
        WordPiece model = new WordPiece(vocab, unk, prefix, maxChars);

        BertNormalizer normalizer = null;
        if (root.get("normalizer") != null) {
            Map<String, Object> n = f.object(root, "normalizer", "normalizer");
            String type = f.string(n, "type", "normalizer.type", null);
            if (!"BertNormalizer".equals(type)) throw f.unsupported("normalizer.type", type, "BertNormalizer");
            Boolean stripAccents = n.get("strip_accents") == null ? null
                    : f.bool(n, "strip_accents", "normalizer.strip_accents", false);
            normalizer = BertNormalizer.of(NormalizerOptions.of(
                    f.bool(n, "clean_text", "normalizer.clean_text", true),
                    f.bool(n, "handle_chinese_chars", "normalizer.handle_chinese_chars", true),
                    stripAccents, f.bool(n, "lowercase", "normalizer.lowercase", true)));
        }

        boolean preTokenize = false;
        if (root.get("pre_tokenizer") != null) {
            Map<String, Object> p = f.object(root, "pre_tokenizer", "pre_tokenizer");
            String type = f.string(p, "type", "pre_tokenizer.type", null);
            if (!"BertPreTokenizer".equals(type)) throw f.unsupported("pre_tokenizer.type", type, "BertPreTokenizer");
            preTokenize = true;
        }

        List<AddedToken> addedTokens = new ArrayList<>();
        if (root.get("added_tokens") != null) {
            List<Object> added = f.array(root, "added_tokens", "added_tokens");
            for (int i = 0; i < added.size(); i++) {
                String where = "added_tokens[" + i + "]";
                addedTokens.add(f.addedToken(f.asObject(added.get(i), where), where, f.id(f.asObject(added.get(i), where), "id", where + ".id")));
            }
        }

        Template template = Template.none();
        if (root.get("post_processor") != null) {
            Map<String, Object> pp = f.object(root, "post_processor", "post_processor");
            String type = f.string(pp, "type", "post_processor.type", null);
            template = switch (type) {
                case "TemplateProcessing" -> readTemplate(f, pp);
                case "BertProcessing" -> {
                    TokenAndId sep = f.tokenAndId(pp, "sep", "post_processor.sep");
                    TokenAndId cls = f.tokenAndId(pp, "cls", "post_processor.cls");
                    yield Template.bert(cls.token(), cls.id(), sep.token(), sep.id());
                }
                default -> throw f.unsupported("post_processor.type", type, "TemplateProcessing, BertProcessing");
            };
        }

        WordPieceDecoder decoder = null;
        if (root.get("decoder") != null) {
            Map<String, Object> d = f.object(root, "decoder", "decoder");
            String type = f.string(d, "type", "decoder.type", null);
            if (!"WordPiece".equals(type)) throw f.unsupported("decoder.type", type, "WordPiece");
            decoder = new WordPieceDecoder(f.string(d, "prefix", "decoder.prefix", "##"),
                    f.bool(d, "cleanup", "decoder.cleanup", true));
        }

        Truncation truncation = null;
        if (root.get("truncation") != null) {
            Map<String, Object> tr = f.object(root, "truncation", "truncation");
            int maxLength = f.integer(tr, "max_length", "truncation.max_length", -1);
            if (maxLength < 0) throw f.error("truncation.max_length", "missing");
            String strategy = f.string(tr, "strategy", "truncation.strategy", "LongestFirst");
            TruncationStrategy s;
            try {
                s = TruncationStrategy.parse(strategy);
            } catch (IllegalArgumentException e) {
                throw f.unsupported("truncation.strategy", strategy, "LongestFirst, OnlyFirst, OnlySecond");
            }
            truncation = new Truncation(maxLength, s, f.side(tr, "direction", "truncation.direction"));
        }

        Padding padding = null;
        if (root.get("padding") != null) {
            Map<String, Object> pd = f.object(root, "padding", "padding");
            Object strategy = pd.get("strategy");
            int fixed;
            if (strategy == null || "BatchLongest".equals(strategy)) {
                fixed = 0;
            } else if (strategy instanceof Map<?, ?> m && m.containsKey("Fixed")) {
                fixed = f.integer(f.asObject(strategy, "padding.strategy"), "Fixed", "padding.strategy.Fixed", 0);
            } else {
                throw f.unsupported("padding.strategy", String.valueOf(strategy), "BatchLongest, {\"Fixed\": n}");
            }
            padding = new Padding(fixed, f.integer(pd, "pad_to_multiple_of", "padding.pad_to_multiple_of", 0),
                    f.side(pd, "direction", "padding.direction"),
                    f.string(pd, "pad_token", "padding.pad_token", "[PAD]"), f.id(pd, "pad_id", "padding.pad_id"),
                    f.integer(pd, "pad_type_id", "padding.pad_type_id", 0));
        }

        return new BertTokenizer(normalizer, preTokenize, model, new AddedVocabulary(addedTokens, normalizer),
                template, decoder, truncation, padding);
    }

    private static Vocabulary readJsonVocab(Fields f, Map<String, Object> vocabNode) {
        Map<String, Integer> ids = new HashMap<>(Math.max(16, vocabNode.size() * 2));
        int limit = 0;
        for (Map.Entry<String, Object> e : vocabNode.entrySet()) {
            String token = e.getKey();
            if (!(e.getValue() instanceof Long l) || l < 0 || l > Vocabulary.MAX_ID || hasLoneSurrogate(token)) {
                String where = "model.vocab[\"" + preview(token) + "\"]";  // built only for the message
                checkText(f, where, token);
                f.idValue(e.getValue(), where);
                throw new IllegalStateException("unreachable");
            }
            int id = (int) (long) l;
            ids.put(token, id);
            limit = Math.max(limit, id + 1);
        }
        if (ids.isEmpty()) throw f.error("model.vocab", "is empty");
        String[] seen = new String[limit];
        for (Map.Entry<String, Integer> e : ids.entrySet()) {
            String other = seen[e.getValue()];
            if (other != null) {
                throw f.error("model.vocab[\"" + preview(e.getKey()) + "\"]", "id " + e.getValue()
                        + " is also the id of \"" + preview(other) + "\"");
            }
            seen[e.getValue()] = e.getKey();
        }
        return new Vocabulary(ids);
    }

    private static Template readTemplate(Fields f, Map<String, Object> pp) {
        Map<String, Object> specials = f.object(pp, "special_tokens", "post_processor.special_tokens");
        Map<String, Template.Special> byName = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : specials.entrySet()) {
            String where = "post_processor.special_tokens[\"" + preview(e.getKey()) + "\"]";
            Map<String, Object> s = f.asObject(e.getValue(), where);
            List<Object> ids = f.array(s, "ids", where + ".ids"), tokens = f.array(s, "tokens", where + ".tokens");
            if (ids.size() != tokens.size()) throw f.error(where, "\"ids\" and \"tokens\" differ in length");
            int[] idArray = new int[ids.size()];
            String[] tokenArray = new String[ids.size()];
            for (int i = 0; i < idArray.length; i++) {
                idArray[i] = f.idValue(ids.get(i), where + ".ids[" + i + "]");
                if (!(tokens.get(i) instanceof String t)) throw f.error(where + ".tokens[" + i + "]", "expected a string");
                tokenArray[i] = t;
            }
            byName.put(e.getKey(), new Template.Special(e.getKey(), idArray, tokenArray, 0));
        }
        return new Template(templatePieces(f, pp, "single", byName), templatePieces(f, pp, "pair", byName));
    }

    private static List<Template.Piece> templatePieces(Fields f, Map<String, Object> pp, String name,
                                                       Map<String, Template.Special> specials) {
        String where = "post_processor." + name;
        List<Object> list = f.array(pp, name, where);
        List<Template.Piece> pieces = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String at = where + "[" + i + "]";
            Map<String, Object> item = f.asObject(list.get(i), at);
            if (item.get("SpecialToken") != null) {
                Map<String, Object> s = f.object(item, "SpecialToken", at + ".SpecialToken");
                String id = f.string(s, "id", at + ".SpecialToken.id", null);
                Template.Special special = specials.get(id);
                if (special == null) throw f.error(at, "special token \"" + preview(id) + "\" is not in post_processor.special_tokens");
                int typeId = f.integer(s, "type_id", at + ".SpecialToken.type_id", 0);
                pieces.add(new Template.Special(special.name(), special.ids(), special.tokens(), typeId));
            } else if (item.get("Sequence") != null) {
                Map<String, Object> s = f.object(item, "Sequence", at + ".Sequence");
                String id = f.string(s, "id", at + ".Sequence.id", null);
                if (!id.equals("A") && !id.equals("B")) throw f.error(at + ".Sequence.id", "expected \"A\" or \"B\", got \"" + preview(id) + "\"");
                pieces.add(new Template.Sequence(id.equals("B"), f.integer(s, "type_id", at + ".Sequence.type_id", 0)));
            } else {
                throw f.error(at, "expected {\"SpecialToken\": ...} or {\"Sequence\": ...}");
            }
        }
        return pieces;
    }

    // ---------------------------------------------------------------- vocab.txt

    /** vocab.txt, with do_lower_case / strip_accents / tokenize_chinese_chars from tokenizer_config.json. */
    private static BertTokenizer fromVocabFile(Path vocabTxt) {
        Path configFile = vocabTxt.toAbsolutePath().getParent().resolve(TOKENIZER_CONFIG);
        Fields f = new Fields(configFile);
        Map<String, Object> config = Files.isRegularFile(configFile)
                ? f.asObject(readJson(configFile), "(top level)") : Map.of();
        Boolean stripAccents = config.get("strip_accents") == null ? null
                : f.bool(config, "strip_accents", "strip_accents", false);
        NormalizerOptions options = NormalizerOptions.of(true,
                f.bool(config, "tokenize_chinese_chars", "tokenize_chinese_chars", true),
                stripAccents, f.bool(config, "do_lower_case", "do_lower_case", true));
        return fromVocab(vocabTxt, options, config, f);
    }

    static BertTokenizer fromVocab(Path vocabTxt, NormalizerOptions options) {
        return fromVocab(vocabTxt, options, Map.of(), new Fields(vocabTxt));
    }

    private static BertTokenizer fromVocab(Path vocabTxt, NormalizerOptions options, Map<String, Object> config, Fields f) {
        Vocabulary vocab = readVocabTxt(vocabTxt);
        String unk = f.tokenName(config, "unk_token", "[UNK]");
        String sep = f.tokenName(config, "sep_token", "[SEP]");
        String cls = f.tokenName(config, "cls_token", "[CLS]");
        String pad = f.tokenName(config, "pad_token", "[PAD]");
        String mask = f.tokenName(config, "mask_token", "[MASK]");
        for (String required : new String[]{cls, sep}) {
            if (vocab.id(required) < 0) {
                throw new TokenizerConfigException(vocabTxt + ": the token " + required
                        + " is not in the vocabulary (the BERT template [CLS] A [SEP] needs it)");
            }
        }
        BertNormalizer normalizer = BertNormalizer.of(options);
        List<AddedToken> added = new ArrayList<>();
        for (String special : new String[]{pad, unk, cls, sep, mask}) {
            if (vocab.id(special) >= 0) added.add(AddedToken.special(vocab.id(special), special));
        }
        if (config.get("added_tokens_decoder") != null) {
            Map<String, Object> entries = f.object(config, "added_tokens_decoder", "added_tokens_decoder");
            for (Map.Entry<String, Object> e : entries.entrySet()) {
                String where = "added_tokens_decoder[\"" + preview(e.getKey()) + "\"]";
                int id;
                try {
                    id = Integer.parseInt(e.getKey());
                } catch (NumberFormatException ex) {
                    throw f.error(where, "expected a numeric id as the key");
                }
                if (id < 0 || id > Vocabulary.MAX_ID) throw f.error(where, "expected an id in [0, " + Vocabulary.MAX_ID + "]");
                AddedToken token = f.addedToken(f.asObject(e.getValue(), where), where, id);
                if (added.stream().noneMatch(a -> a.id() == id && a.content().equals(token.content()))) added.add(token);
            }
        }
        WordPiece model = new WordPiece(vocab, unk, "##", 100);
        return new BertTokenizer(normalizer, true, model, new AddedVocabulary(added, normalizer),
                Template.bert(cls, vocab.id(cls), sep, vocab.id(sep)), new WordPieceDecoder("##", true), null, null);
    }

    /**
     * Reads vocab.txt as transformers does: one token per line (id = line number), line ends \n,
     * \r\n or \r removed and nothing else; a repeated token keeps its last id.
     */
    static Vocabulary readVocabTxt(Path file) {
        byte[] bytes = readBytes(file);
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new TokenizerConfigException(file + ": line " + firstBadUtf8Line(bytes) + ": not valid UTF-8");
        }
        if (text.startsWith("\uFEFF")) text = text.substring(1);
        Map<String, Integer> ids = new HashMap<>();
        int line = 0, start = 0, n = text.length();
        while (start < n) {
            int end = start;
            while (end < n && text.charAt(end) != '\n' && text.charAt(end) != '\r') end++;
            if (line > Vocabulary.MAX_ID) {
                throw new TokenizerConfigException(file + ": more than " + (Vocabulary.MAX_ID + 1) + " lines");
            }
            ids.put(text.substring(start, end), line++);
            if (end < n && text.charAt(end) == '\r' && end + 1 < n && text.charAt(end + 1) == '\n') end++;
            start = end + 1;
        }
        if (ids.isEmpty()) throw new TokenizerConfigException(file + ": empty vocabulary");
        return new Vocabulary(ids);
    }

    private static int firstBadUtf8Line(byte[] bytes) {
        int line = 1, start = 0;
        for (int i = 0; i <= bytes.length; i++) {
            if (i == bytes.length || bytes[i] == '\n') {
                try {
                    StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, start, i - start));
                } catch (CharacterCodingException e) {
                    return line;
                }
                line++;
                start = i + 1;
            }
        }
        return line;
    }

    // ---------------------------------------------------------------- helpers

    private static byte[] readBytes(Path file) {
        try {
            long size = Files.size(file);
            if (size > MAX_FILE_BYTES) {
                throw new TokenizerConfigException(file + ": " + size + " bytes, more than the " + MAX_FILE_BYTES
                        + " a tokenizer file may have");
            }
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new TokenizerConfigException(file + ": no such file");
        } catch (IOException e) {
            throw new TokenizerConfigException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static Object readJson(Path file) {
        byte[] bytes = readBytes(file);
        try {
            return JsonTree.parse(bytes);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() != null
                    ? "line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() : "?";
            throw new TokenizerConfigException(file + ": not valid JSON at " + where + ": "
                    + e.getOriginalMessage().lines().findFirst().orElse(""), e);
        } catch (IOException e) {
            throw new TokenizerConfigException(file + ": " + e.getMessage(), e);
        }
    }

    /** Rejects strings HF could never have read: a lone surrogate is not valid UTF-8. */
    private static void checkText(Fields f, String where, String s) {
        int at = loneSurrogateAt(s);
        if (at >= 0) {
            throw f.error(where, "contains a lone surrogate (U+" + Integer.toHexString(s.charAt(at)).toUpperCase()
                    + "), not valid Unicode text");
        }
    }

    private static boolean hasLoneSurrogate(String s) {
        return loneSurrogateAt(s) >= 0;
    }

    private static int loneSurrogateAt(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return i;
            }
        }
        return -1;
    }

    /** A string safe to show in a one-line message: shortened, control characters escaped. */
    static String preview(String s) {
        String p = s.length() > 40 ? s.substring(0, 40) + "..." : s;
        StringBuilder out = new StringBuilder();
        p.codePoints().forEach(cp -> {
            if (cp < 0x20 || cp == 0x7F || cp == '"' || cp == '\\' || Character.isSurrogate((char) cp)) {
                out.append(String.format("\\u%04x", cp));
            } else {
                out.appendCodePoint(cp);
            }
        });
        return out.toString();
    }

    private record TokenAndId(String token, int id) {
    }

    /** Typed access to a parsed JSON tree, with errors that name the file and the field. */
    private record Fields(Path file) {

        TokenizerConfigException error(String field, String problem) {
            return new TokenizerConfigException(file + ": " + field + ": " + problem);
        }

        TokenizerConfigException unsupported(String field, String value, String supported) {
            return error(field, "\"" + preview(String.valueOf(value)) + "\" is not supported (supported: " + supported + ")");
        }

        @SuppressWarnings("unchecked")
        Map<String, Object> asObject(Object value, String field) {
            if (value instanceof Map<?, ?> m) return (Map<String, Object>) m;
            throw error(field, "expected an object, got " + JsonTree.kind(value));
        }

        Map<String, Object> object(Map<String, Object> parent, String name, String field) {
            Object v = parent.get(name);
            if (v == null) throw error(field, "missing");
            return asObject(v, field);
        }

        @SuppressWarnings("unchecked")
        List<Object> array(Map<String, Object> parent, String name, String field) {
            Object v = parent.get(name);
            if (v instanceof List<?> l) return (List<Object>) l;
            throw error(field, v == null ? "missing" : "expected an array, got " + JsonTree.kind(v));
        }

        String string(Map<String, Object> parent, String name, String field, String fallback) {
            Object v = parent.get(name);
            if (v == null) {
                if (fallback == null) throw error(field, "missing");
                return fallback;
            }
            if (!(v instanceof String s)) throw error(field, "expected a string, got " + JsonTree.kind(v));
            return s;
        }

        boolean bool(Map<String, Object> parent, String name, String field, boolean fallback) {
            Object v = parent.get(name);
            if (v == null) return fallback;
            if (!(v instanceof Boolean b)) throw error(field, "expected true or false, got " + JsonTree.kind(v));
            return b;
        }

        /** A non-negative int field; null or absent gives the fallback. */
        int integer(Map<String, Object> parent, String name, String field, int fallback) {
            Object v = parent.get(name);
            if (v == null) return fallback;
            if (!(v instanceof Long l) || l < 0 || l > Integer.MAX_VALUE) {
                throw error(field, "expected a non-negative integer, got " + JsonTree.kind(v));
            }
            return (int) (long) l;
        }

        int id(Map<String, Object> parent, String name, String field) {
            Object v = parent.get(name);
            if (v == null) throw error(field, "missing");
            return idValue(v, field);
        }

        int idValue(Object v, String field) {
            if (!(v instanceof Long l) || l < 0 || l > Vocabulary.MAX_ID) {
                throw error(field, "expected an id in [0, " + Vocabulary.MAX_ID + "], got "
                        + (v instanceof BigInteger ? "a huge number" : JsonTree.kind(v)));
            }
            return (int) (long) l;
        }

        Side side(Map<String, Object> parent, String name, String field) {
            String s = string(parent, name, field, "Right");
            return switch (s) {
                case "Right", "right" -> Side.RIGHT;
                case "Left", "left" -> Side.LEFT;
                default -> throw unsupported(field, s, "Right, Left");
            };
        }

        /** BertProcessing's ["[SEP]", 102]. */
        TokenAndId tokenAndId(Map<String, Object> parent, String name, String field) {
            List<Object> pair = array(parent, name, field);
            if (pair.size() != 2 || !(pair.get(0) instanceof String token)) throw error(field, "expected [token, id]");
            return new TokenAndId(token, idValue(pair.get(1), field + "[1]"));
        }

        AddedToken addedToken(Map<String, Object> t, String where, int id) {
            String content = string(t, "content", where + ".content", null);
            checkText(this, where + ".content", content);
            boolean special = bool(t, "special", where + ".special", false);
            return new AddedToken(id, content, bool(t, "single_word", where + ".single_word", false),
                    bool(t, "lstrip", where + ".lstrip", false), bool(t, "rstrip", where + ".rstrip", false),
                    bool(t, "normalized", where + ".normalized", !special), special);
        }

        /** A special token name in tokenizer_config.json: a string or {"content": ...}. */
        String tokenName(Map<String, Object> config, String name, String fallback) {
            Object v = config.get(name);
            if (v == null) return fallback;
            if (v instanceof String s) return s;
            if (v instanceof Map<?, ?> m && m.get("content") instanceof String s) return s;
            throw error(name, "expected a string or {\"content\": string}");
        }
    }
}
