/*
 * The corpus made by HF `tokenizers` (tools/reference/gen_tokenizer_corpus.py), replayed: every
 * case must give exactly HF's ids, type ids, tokens, offsets and special-tokens mask, or fail where
 * HF fails. Over 5,000 texts (SpamAssassin lines and segments, hand-made edge cases, random mixes
 * of tricky characters), single and pair inputs, all truncation strategies, for the MiniLM
 * (uncased) tokenizer, a cased configuration over the same vocabulary, and further variants.
 */
package dev.kanna.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConformanceTest {

    private static final Map<Integer, String> VOCAB = Fixtures.vocabTokens();

    @Test
    void corpusIsLargeEnough() {
        assertTrue(Fixtures.corpus().get("texts").size() >= 5000, "at least 5,000 texts");
        assertTrue(Fixtures.corpus().get("cases").size() >= 20000, "cases for two configurations at least");
    }

    @ParameterizedTest
    @ValueSource(strings = {"uncased", "cased", "strip_only", "lower_only", "raw", "added", "bert_processing"})
    void everyCaseMatchesHuggingFace(String config) {
        JsonNode corpus = Fixtures.corpus();
        JsonNode texts = corpus.get("texts");
        BertTokenizer base = Fixtures.tokenizer(config);
        List<String> failures = new ArrayList<>();
        int checked = 0;
        for (JsonNode c : corpus.get("cases")) {
            if (!c.get("config").asText().equals(config)) continue;
            checked++;
            BertTokenizer tokenizer = base;
            JsonNode t = c.get("truncation");
            if (!t.isNull()) {
                tokenizer = base.withTruncation(new Truncation(t.get("max_length").asInt(),
                        TruncationStrategy.parse(t.get("strategy").asText()),
                        t.get("direction").asText().equals("left") ? Side.LEFT : Side.RIGHT));
            }
            String text = texts.get(c.get("text").asInt()).asText();
            String pair = c.get("pair").isNull() ? null : texts.get(c.get("pair").asInt()).asText();
            boolean special = c.get("add_special_tokens").asBoolean();
            String label = config + " case text=" + c.get("text") + " pair=" + c.get("pair") + " special=" + special
                    + " truncation=" + t;
            JsonNode expect = c.get("expect");
            Encoding actual;
            try {
                actual = pair == null ? tokenizer.encode(text, special) : tokenizer.encodePair(text, pair, special);
            } catch (TokenizationException e) {
                if (!expect.has("error")) failures.add(label + ": threw " + e.getMessage());
                continue;
            }
            if (expect.has("error")) {
                failures.add(label + ": HF fails with \"" + expect.get("error").asText() + "\" but we encoded");
                continue;
            }
            String diff = difference(expect, actual);
            if (diff != null) failures.add(label + ": " + diff);
        }
        assertTrue(checked > 0, "cases for " + config);
        assertTrue(failures.isEmpty(), failures.size() + " of " + checked + " cases differ from HF, e.g.\n"
                + String.join("\n", failures.subList(0, Math.min(10, failures.size()))));
    }

    @Test
    void batchesArePaddedAsHuggingFaceDoes() {
        JsonNode corpus = Fixtures.corpus();
        JsonNode texts = corpus.get("texts");
        List<String> failures = new ArrayList<>();
        for (JsonNode b : corpus.get("batches")) {
            BertTokenizer tokenizer = Fixtures.tokenizer(b.get("config").asText());
            if (!b.get("truncation").isNull()) tokenizer = tokenizer.withTruncation(Truncation.of(b.get("truncation").asInt()));
            JsonNode pad = b.get("padding");
            Padding padding = pad.get("length").isNull() ? Padding.longest() : Padding.fixed(pad.get("length").asInt());
            if (!pad.get("pad_to_multiple_of").isNull()) padding = padding.withMultipleOf(pad.get("pad_to_multiple_of").asInt());
            if (pad.get("direction").asText().equals("left")) padding = padding.withSide(Side.LEFT);
            tokenizer = tokenizer.withPadding(padding);
            List<Encoding> actual;
            if (b.get("pairs").asBoolean()) {
                List<TextPair> pairs = new ArrayList<>();
                for (JsonNode i : b.get("texts")) {
                    pairs.add(new TextPair(texts.get(i.asInt()).asText(), texts.get((i.asInt() + 1) % texts.size()).asText()));
                }
                actual = tokenizer.encodePairBatch(pairs);
            } else {
                List<String> batch = new ArrayList<>();
                for (JsonNode i : b.get("texts")) batch.add(texts.get(i.asInt()).asText());
                actual = tokenizer.encodeBatch(batch);
            }
            for (int k = 0; k < actual.size(); k++) {
                String diff = difference(b.get("expect").get(k), actual.get(k));
                if (diff != null) failures.add(b.get("config") + " batch " + b.get("texts") + " padding " + pad + " item " + k + ": " + diff);
            }
        }
        assertTrue(failures.isEmpty(), failures.size() + " padded encodings differ, e.g.\n"
                + String.join("\n", failures.subList(0, Math.min(10, failures.size()))));
    }

    @Test
    void decodeMatchesHuggingFace() {
        List<String> failures = new ArrayList<>();
        int checked = 0;
        for (JsonNode d : Fixtures.corpus().get("decode")) {
            BertTokenizer tokenizer = Fixtures.tokenizer(d.get("config").asText());
            String actual = tokenizer.decode(ints(d.get("ids")), d.get("skip_special_tokens").asBoolean());
            checked++;
            if (!actual.equals(d.get("expect").asText())) {
                failures.add(d.get("config") + " skip=" + d.get("skip_special_tokens") + " ids=" + d.get("ids")
                        + ": \"" + actual + "\" expected \"" + d.get("expect").asText() + "\"");
            }
        }
        assertTrue(checked > 1000);
        assertTrue(failures.isEmpty(), failures.size() + " decodes differ, e.g.\n"
                + String.join("\n", failures.subList(0, Math.min(5, failures.size()))));
    }

    /** Null when actual equals HF's expectation, else what differs first. */
    static String difference(JsonNode expect, Encoding actual) {
        int[] ids = ints(expect.get("ids"));
        if (!Arrays.equals(ids, actual.ids())) {
            return "ids " + Arrays.toString(actual.ids()) + " expected " + Arrays.toString(ids);
        }
        int[] offsets = ints(expect.get("offsets"));
        for (int i = 0; i < ids.length; i++) {
            if (actual.starts()[i] != offsets[2 * i] || actual.ends()[i] != offsets[2 * i + 1]) {
                return "offsets of token " + i + " (" + actual.tokens()[i] + ") [" + actual.starts()[i] + ", "
                        + actual.ends()[i] + ") expected [" + offsets[2 * i] + ", " + offsets[2 * i + 1] + ")";
            }
        }
        int[] typeIds = new int[ids.length];
        int k = 0;
        for (JsonNode run : expect.get("type_ids")) {
            for (int r = 0; r < run.get(1).asInt(); r++) typeIds[k++] = run.get(0).asInt();
        }
        if (!Arrays.equals(typeIds, actual.typeIds())) {
            return "type ids " + Arrays.toString(actual.typeIds()) + " expected " + Arrays.toString(typeIds);
        }
        int[] special = new int[ids.length];
        for (JsonNode i : expect.get("special")) special[i.asInt()] = 1;
        if (!Arrays.equals(special, actual.specialTokensMask())) {
            return "special tokens mask " + Arrays.toString(actual.specialTokensMask()) + " expected " + Arrays.toString(special);
        }
        for (int i = 0; i < ids.length; i++) {
            JsonNode sparse = expect.get("tokens").get(Integer.toString(i));
            String token = sparse != null ? sparse.asText() : VOCAB.get(ids[i]);
            if (!token.equals(actual.tokens()[i])) {
                return "token " + i + " \"" + actual.tokens()[i] + "\" expected \"" + token + "\"";
            }
        }
        if (expect.has("attention")) {
            int[] mask = ints(expect.get("attention"));
            if (!Arrays.equals(mask, actual.attentionMask())) {
                return "attention mask " + Arrays.toString(actual.attentionMask()) + " expected " + Arrays.toString(mask);
            }
        } else if (Arrays.stream(actual.attentionMask()).anyMatch(m -> m != 1)) {
            return "attention mask has zeros without padding";
        }
        return null;
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = array.get(i).asInt();
        return out;
    }
}
