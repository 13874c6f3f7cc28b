/*
 * The vocabulary as a model directory stores it, and its extension: new whole-word entries appended
 * to vocab.txt and to tokenizer.json's model.vocab with the next ids, and config.json's vocab_size
 * raised to match. The JSON files are spliced, not re-serialized: every other byte stays as it was
 * (key order, number spelling, escapes), so the new directory differs from the old one only in the
 * entries added. Both vocabularies must hold the same dense ids 0..n-1 before they are extended,
 * else the new ids would mean different tokens to different readers.
 */
package dev.kanna.vocab;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

public final class VocabFiles {

    public static final String VOCAB_TXT = "vocab.txt";
    public static final String TOKENIZER_JSON = "tokenizer.json";
    public static final String CONFIG_JSON = "config.json";

    private static final JsonFactory JSON = new JsonFactory();

    private final Path dir;
    private final byte[] vocabTxt;        // null when the directory has none
    private final byte[] tokenizerJson;   // null when the directory has none
    private final Splice modelVocab;      // where tokenizer.json's model.vocab ends; null without the file
    private final int size;

    private VocabFiles(Path dir, byte[] vocabTxt, byte[] tokenizerJson, Splice modelVocab, int size) {
        this.dir = dir;
        this.vocabTxt = vocabTxt;
        this.tokenizerJson = tokenizerJson;
        this.modelVocab = modelVocab;
        this.size = size;
    }

    /** Reads the vocabulary files of a model directory and checks that they agree. */
    public static VocabFiles read(Path dir) throws IOException {
        Path txt = dir.resolve(VOCAB_TXT), json = dir.resolve(TOKENIZER_JSON);
        boolean hasTxt = Files.isRegularFile(txt), hasJson = Files.isRegularFile(json);
        if (!hasTxt && !hasJson) throw new VocabularyException(dir + ": no " + VOCAB_TXT + " or " + TOKENIZER_JSON + " (not a model directory?)");
        byte[] txtBytes = hasTxt ? Files.readAllBytes(txt) : null;
        byte[] jsonBytes = hasJson ? Files.readAllBytes(json) : null;
        String[] fromTxt = hasTxt ? vocabTxtTokens(txt, txtBytes) : null;
        Splice splice = null;
        String[] fromJson = null;
        if (hasJson) {
            ModelVocab mv = modelVocab(json, jsonBytes);
            splice = mv.splice();
            fromJson = mv.tokens();
        }
        if (fromTxt != null && fromJson != null) {
            if (fromTxt.length != fromJson.length) {
                throw new VocabularyException(dir + ": " + VOCAB_TXT + " has " + fromTxt.length + " tokens but "
                        + TOKENIZER_JSON + "'s model.vocab " + fromJson.length + "; they must be the same vocabulary");
            }
            for (int id = 0; id < fromTxt.length; id++) {
                if (!fromTxt[id].equals(fromJson[id])) {
                    throw new VocabularyException(dir + ": id " + id + " is \"" + fromTxt[id] + "\" in " + VOCAB_TXT
                            + " (line " + (id + 1) + ") but \"" + fromJson[id] + "\" in " + TOKENIZER_JSON);
                }
            }
        }
        return new VocabFiles(dir, txtBytes, jsonBytes, splice, (fromTxt != null ? fromTxt : fromJson).length);
    }

    /** Tokens in the vocabulary: the first new word gets this id. */
    public int size() {
        return size;
    }

    /** Writes the files extended with the words (ids size(), size()+1, ...) into dir. */
    public void writeExtended(List<String> words, Path out) throws IOException {
        if (vocabTxt != null) Files.write(out.resolve(VOCAB_TXT), extendVocabTxt(vocabTxt, words));
        if (tokenizerJson != null) Files.write(out.resolve(TOKENIZER_JSON), extendTokenizerJson(words));
    }

    /** config.json with vocab_size raised from size() to size() + added; nothing else changes. */
    public byte[] extendedConfig(Path configFile, int added) throws IOException {
        byte[] bytes = Files.readAllBytes(configFile);
        try (JsonParser p = JSON.createParser(bytes)) {
            if (p.nextToken() != JsonToken.START_OBJECT) throw new VocabularyException(configFile + ": expected a JSON object");
            for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (!name.equals("vocab_size")) {
                    p.skipChildren();
                    continue;
                }
                if (value != JsonToken.VALUE_NUMBER_INT || p.getLongValue() != size) {
                    throw new VocabularyException(configFile + ": vocab_size is " + p.getText() + " but the vocabulary in "
                            + dir + " has " + size + " tokens; extend-vocab needs them equal");
                }
                int start = Math.toIntExact(p.currentTokenLocation().getByteOffset());
                int end = start;
                while (end < bytes.length && (Character.isDigit(bytes[end]) || bytes[end] == '-')) end++;
                return splice(bytes, start, end, Integer.toString(size + added).getBytes(StandardCharsets.US_ASCII));
            }
        }
        throw new VocabularyException(configFile + ": no vocab_size");
    }

    // ---------------------------------------------------------------- vocab.txt

    /** Tokens by id, read as transformers does (one per line; \n, \r\n or \r end a line). */
    static String[] vocabTxtTokens(Path file, byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        if (text.startsWith("\uFEFF")) text = text.substring(1);
        String[] lines = text.split("\r\n|\n|\r", -1);
        // A final line break ends the last line rather than starting an empty one.
        int n = lines.length > 0 && lines[lines.length - 1].isEmpty() ? lines.length - 1 : lines.length;
        String[] tokens = Arrays.copyOf(lines, n);
        Map<String, Integer> first = new HashMap<>();
        for (int id = 0; id < n; id++) {
            Integer earlier = first.putIfAbsent(tokens[id], id);
            if (earlier != null) {
                throw new VocabularyException(file + ":" + (id + 1) + ": repeats the token \"" + tokens[id] + "\" of line "
                        + (earlier + 1) + "; extending needs one token per id");
            }
        }
        if (n == 0) throw new VocabularyException(file + ": empty vocabulary");
        return tokens;
    }

    /** The file with one line per word appended, in the file's own line ending. */
    static byte[] extendVocabTxt(byte[] bytes, List<String> words) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        String eol = text.contains("\r\n") ? "\r\n" : text.indexOf('\n') < 0 && text.indexOf('\r') >= 0 ? "\r" : "\n";
        StringBuilder tail = new StringBuilder();
        if (!text.isEmpty() && !text.endsWith("\n") && !text.endsWith("\r")) tail.append(eol);
        for (String w : words) tail.append(w).append(eol);
        byte[] added = tail.toString().getBytes(StandardCharsets.UTF_8);
        byte[] out = Arrays.copyOf(bytes, bytes.length + added.length);
        System.arraycopy(added, 0, out, bytes.length, added.length);
        return out;
    }

    // ---------------------------------------------------------------- tokenizer.json

    /** Where new entries go: after the last entry, copying its separator and key/value spacing. */
    private record Splice(int at, byte[] separator, byte[] colon) {
    }

    private record ModelVocab(String[] tokens, Splice splice) {
    }

    private byte[] extendTokenizerJson(List<String> words) {
        ByteArrayOutputStream entries = new ByteArrayOutputStream();
        int id = size;
        for (String w : words) {
            entries.write(',');
            entries.writeBytes(modelVocab.separator());
            entries.writeBytes(quote(w));
            entries.writeBytes(modelVocab.colon());
            entries.writeBytes(Integer.toString(id++).getBytes(StandardCharsets.US_ASCII));
        }
        return splice(tokenizerJson, modelVocab.at(), modelVocab.at(), entries.toByteArray());
    }

    /** Finds model.vocab, reads its tokens by id (dense ids required) and where to append. */
    private static ModelVocab modelVocab(Path file, byte[] bytes) throws IOException {
        try (JsonParser p = JSON.createParser(bytes)) {
            if (p.nextToken() != JsonToken.START_OBJECT) throw new VocabularyException(file + ": expected a JSON object");
            for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
                String name = p.currentName();
                if (p.nextToken() == JsonToken.START_OBJECT && name.equals("model")) {
                    for (JsonToken u = p.nextToken(); u == JsonToken.FIELD_NAME; u = p.nextToken()) {
                        String field = p.currentName();
                        if (p.nextToken() == JsonToken.START_OBJECT && field.equals("vocab")) return readVocab(file, bytes, p);
                        p.skipChildren();
                    }
                    break;
                }
                p.skipChildren();
            }
        }
        throw new VocabularyException(file + ": model.vocab: missing (expected an object of token: id)");
    }

    private static ModelVocab readVocab(Path file, byte[] bytes, JsonParser p) throws IOException {
        int open = offset(p);                                    // the '{'
        Map<String, Integer> ids = new HashMap<>();
        int lastKey = -1, previousKey = -1, lastValue = -1;
        for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
            String token = p.currentName();
            previousKey = lastKey;
            lastKey = offset(p);
            if (p.nextToken() != JsonToken.VALUE_NUMBER_INT) throw new VocabularyException(file + ": model.vocab[\"" + token + "\"]: expected an id");
            lastValue = offset(p);
            ids.put(token, Math.toIntExact(p.getLongValue()));
        }
        int close = offset(p);                                   // the '}'
        if (ids.isEmpty()) throw new VocabularyException(file + ": model.vocab is empty");
        String[] tokens = new String[ids.size()];
        for (Map.Entry<String, Integer> e : ids.entrySet()) {
            int id = e.getValue();
            if (id < 0 || id >= tokens.length || tokens[id] != null) {
                throw new VocabularyException(file + ": model.vocab ids are not 0.." + (tokens.length - 1)
                        + " each once (\"" + e.getKey() + "\": " + id + "); extending needs dense ids");
            }
            tokens[id] = e.getKey();
        }
        int at = close;
        while (isSpace(bytes[at - 1])) at--;                     // just after the last id
        int colonStart = lastValue;
        while (isSpace(bytes[colonStart - 1]) || bytes[colonStart - 1] == ':') colonStart--;
        byte[] colon = Arrays.copyOfRange(bytes, colonStart, lastValue);
        int separatorStart = previousKey < 0 ? open + 1 : lastKey;
        if (previousKey >= 0) {
            while (isSpace(bytes[separatorStart - 1])) separatorStart--;   // back to the comma
        }
        byte[] separator = Arrays.copyOfRange(bytes, separatorStart, lastKey);
        return new ModelVocab(tokens, new Splice(at, separator, colon));
    }

    private static int offset(JsonParser p) {
        return Math.toIntExact(p.currentTokenLocation().getByteOffset());
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\n' || b == '\r' || b == '\t';
    }

    /** A JSON string as serde_json (HF's writer) spells it: only quotes, backslashes and controls escaped. */
    static byte[] quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        return sb.append('"').toString().getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] splice(byte[] bytes, int from, int to, byte[] insert) {
        byte[] out = new byte[bytes.length - (to - from) + insert.length];
        System.arraycopy(bytes, 0, out, 0, from);
        System.arraycopy(insert, 0, out, from, insert.length);
        System.arraycopy(bytes, to, out, from + insert.length, bytes.length - to);
        return out;
    }
}
