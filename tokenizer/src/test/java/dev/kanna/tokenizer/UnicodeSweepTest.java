/*
 * Every code point (surrogates excepted) through the public normalize() and the whole tokenizer, compared
 * with HF by hash, chunk by chunk (tools/reference/gen_tokenizer_corpus.py writes the hashes). The
 * character tables come from probing HF one code point at a time; this checks the tables as the
 * tokenizer uses them, in context: runs of marks, Chinese spacing, offsets.
 */
package dev.kanna.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UnicodeSweepTest {

    @ParameterizedTest
    @ValueSource(strings = {"uncased", "cased", "strip_only", "lower_only", "raw"})
    void everyCodePointMatchesHuggingFace(String config) throws NoSuchAlgorithmException {
        JsonNode sweep = Fixtures.json("conformance/sweep.json.gz");
        int chunk = sweep.get("chunk").asInt();
        JsonNode hashes = sweep.get("configs").get(config);
        assertEquals(0x110000 / chunk, hashes.size());
        BertTokenizer tokenizer = Fixtures.tokenizer(config);
        List<String> failures = new ArrayList<>();
        for (int c = 0; c < hashes.size(); c++) {
            StringBuilder joined = new StringBuilder(), words = new StringBuilder();
            for (int cp = c * chunk; cp < (c + 1) * chunk; cp++) {
                if (cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE) continue;
                joined.appendCodePoint(cp);
                if (!words.isEmpty()) words.append(' ');
                words.append('a').appendCodePoint(cp);
            }
            if (joined.isEmpty()) continue;
            String normalized = tokenizer.normalize(joined.toString());
            Encoding e = tokenizer.encode(words.toString());
            StringBuilder ids = new StringBuilder(), offsets = new StringBuilder();
            for (int i = 0; i < e.size(); i++) {
                if (i > 0) {
                    ids.append(',');
                    offsets.append(',');
                }
                ids.append(e.ids()[i]);
                offsets.append(e.starts()[i]).append(',').append(e.ends()[i]);
            }
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(normalized.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(ids.toString().getBytes(StandardCharsets.US_ASCII));
            sha.update((byte) ';');
            sha.update(offsets.toString().getBytes(StandardCharsets.US_ASCII));
            String hash = HexFormat.of().formatHex(sha.digest()).substring(0, 16);
            if (!hash.equals(hashes.get(c).asText())) {
                failures.add(String.format("U+%04X..U+%04X", c * chunk, (c + 1) * chunk - 1));
            }
        }
        assertTrue(failures.isEmpty(), config + ": " + failures.size() + " chunks differ from HF: "
                + String.join(", ", failures.subList(0, Math.min(20, failures.size()))));
    }
}
