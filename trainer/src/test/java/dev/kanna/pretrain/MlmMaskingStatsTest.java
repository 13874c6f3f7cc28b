/*
 * MlmMasker against transformers' own collators, statistically: the same 10,000 sequences (the NCBI
 * abstracts tokenized by MiniLM's tokenizer, truncated to 128, cycled) masked here and by
 * DataCollatorForLanguageModeling / DataCollatorForWholeWordMask in
 * tools/reference/mlm_masking_stats.py, whose output (reference/mlm_masking_stats.json) holds their
 * figures. The two sides use different random generators, so the figures are compared within 4
 * standard errors of the difference of two independent estimates: a real departure in the rule
 * (a different p, split or word rule) moves a figure by far more, while a correct masker fails
 * one of the ~25 checks with probability about 1e-3 (and, being seeded, would fail the same way
 * every run). Counts that do not depend on the random draws (tokens, words) must agree exactly.
 */
package dev.kanna.pretrain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kanna.tokenizer.AddedToken;
import dev.kanna.tokenizer.BertTokenizer;
import dev.kanna.tokenizer.Encoding;
import dev.kanna.tokenizer.Truncation;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MlmMaskingStatsTest {
    static final double SIGMAS = 4;

    static JsonNode reference;
    static List<Encoding> sequences;
    static int vocabSize, maskId;
    static boolean[] special, continuation;

    @BeforeAll
    static void tokenizeTheAbstracts(@TempDir Path dir) throws IOException {
        try (InputStream in = MlmMaskingStatsTest.class.getResourceAsStream("/reference/mlm_masking_stats.json")) {
            reference = new ObjectMapper().readTree(in);
        }
        Path tokenizerJson = dir.resolve("tokenizer.json");
        try (InputStream in = MlmMaskingStatsTest.class.getClassLoader().getResourceAsStream("all-minilm-l6-v2-tokenizer.json")) {
            assertTrue(in != null, "MiniLM jar on the test class path");
            Files.copy(in, tokenizerJson);
        }
        int maxLength = reference.get("max_length").asInt();
        BertTokenizer tokenizer = BertTokenizer.load(tokenizerJson).withTruncation(Truncation.of(maxLength)).withoutPadding();
        vocabSize = tokenizer.vocabSize();
        maskId = tokenizer.tokenToId("[MASK]").orElseThrow();
        special = new boolean[vocabSize];
        for (AddedToken t : tokenizer.addedTokens()) if (t.special()) special[t.id()] = true;
        continuation = new boolean[vocabSize];
        for (int id = 0; id < vocabSize; id++) continuation[id] = tokenizer.idToToken(id).orElse("").startsWith("##");

        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(repositoryFile(reference.get("text").asText()))), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) lines.add(line);
        }
        List<Encoding> encoded = lines.stream().map(tokenizer::encode).toList();
        int n = reference.get("sequences").asInt();
        sequences = new ArrayList<>(n);
        for (int i = 0; i < n; i++) sequences.add(encoded.get(i % encoded.size()));
    }

    static Path repositoryFile(String relative) {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent())
            if (Files.exists(d.resolve(relative))) return d.resolve(relative);
        throw new AssertionError(relative + " not found above " + Path.of("").toAbsolutePath());
    }

    @Test
    void sameSequencesAndSpecialsAsTheReference() throws NoSuchAlgorithmException {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (Encoding e : sequences) {
            ByteBuffer b = ByteBuffer.allocate(4 * (e.size() + 1)).order(ByteOrder.LITTLE_ENDIAN);
            b.putInt(e.size());
            for (int id : e.ids()) b.putInt(id);
            sha.update(b.array());
        }
        assertEquals(reference.get("ids_sha256").asText(), HexFormat.of().formatHex(sha.digest()));
        assertEquals(reference.get("vocab_size").asInt(), vocabSize);
        assertEquals(reference.get("mask_id").asInt(), maskId);
        int[] specialIds = java.util.stream.IntStream.range(0, vocabSize).filter(id -> special[id]).toArray();
        int[] expected = new int[reference.get("special_ids").size()];
        for (int i = 0; i < expected.length; i++) expected[i] = reference.get("special_ids").get(i).asInt();
        assertArrayEquals(expected, specialIds, "all_special_ids: [PAD] [UNK] [CLS] [SEP] [MASK]");
    }

    @Test
    void standardMaskingMatchesDataCollatorForLanguageModeling() {
        compare("standard", measure(new MlmMasker(probability(), vocabSize, maskId, special, false, null), Words.NONE));
    }

    @Test
    void wholeWordMaskingMatchesDataCollatorForWholeWordMask() {
        compare("whole_word", measure(new MlmMasker(probability(), vocabSize, maskId, special, true, continuation), Words.OFFSETS));
    }

    @Test
    void pieceWordMaskingMatchesTheCollatorWithPieceWords() {
        compare("whole_word_pieces", measure(new MlmMasker(probability(), vocabSize, maskId, special, true, continuation), Words.PIECES));
    }

    enum Words { NONE, OFFSETS, PIECES }

    static double probability() {
        return reference.get("mlm_probability").asDouble();
    }

    /** The figures the script records, measured on MlmMasker's output. */
    static final class Figures {
        long tokens, nonSpecial, selected, toMask, toRandom, unchanged, specialSelected, paddingSelected;
        long words, fully, partly, squaredWordSizes;   // words by the rule the masker used
        double[] perSequence = new double[sequences.size()];
    }

    static Figures measure(MlmMasker masker, Words rule) {
        long seed = reference.get("seed").asLong();
        int width = reference.get("max_length").asInt();
        Figures f = new Figures();
        for (int s = 0; s < sequences.size(); s++) {
            Encoding e = sequences.get(s);
            int length = e.size();
            int[] ids = Arrays.copyOf(e.ids(), width);   // padded with [PAD] (id 0), as in a batch
            boolean[] wordStarts = switch (rule) {
                case NONE -> null;
                case OFFSETS -> masker.offsetWordStarts(ids, length, e.starts(), e.ends());
                case PIECES -> masker.pieceWordStarts(ids, length);
            };
            MlmMasker.Masked m = wordStarts == null ? masker.mask(ids, length, MlmMasker.forExample(seed, 0, s))
                    : masker.mask(ids, length, wordStarts, MlmMasker.forExample(seed, 0, s));
            int count = 0;
            for (int i = 0; i < width; i++) {
                boolean selected = m.labels()[i] != MlmMasker.IGNORED;
                if (i >= length) {
                    if (selected) f.paddingSelected++;
                    continue;
                }
                f.tokens++;
                if (special[ids[i]]) {
                    if (selected) f.specialSelected++;
                    continue;
                }
                f.nonSpecial++;
                if (!selected) continue;
                assertEquals(ids[i], m.labels()[i]);
                count++;
                if (m.inputIds()[i] == maskId) f.toMask++;
                else if (m.inputIds()[i] != ids[i]) f.toRandom++;
                else f.unchanged++;
            }
            f.selected += count;
            f.perSequence[s] = count;
            if (wordStarts != null) countWords(f, ids, length, wordStarts, m.labels());
        }
        return f;
    }

    /** Words as the masker saw them: a start where given, at position 0 and after a special. */
    static void countWords(Figures f, int[] ids, int length, boolean[] wordStarts, int[] labels) {
        int i = 0;
        while (i < length) {
            if (special[ids[i]]) {
                i++;
                continue;
            }
            int end = i + 1;
            while (end < length && !special[ids[end]] && !wordStarts[end]) end++;
            int chosen = 0;
            for (int j = i; j < end; j++) if (labels[j] != MlmMasker.IGNORED) chosen++;
            f.words++;
            f.squaredWordSizes += (long) (end - i) * (end - i);
            if (chosen == end - i) f.fully++;
            else if (chosen > 0) f.partly++;
            i = end;
        }
    }

    static void compare(String name, Figures java) {
        JsonNode py = reference.get(name);
        double p = probability();
        int n = sequences.size();
        assertEquals(py.get("tokens").asLong(), java.tokens, "tokens");
        assertEquals(py.get("non_special_tokens").asLong(), java.nonSpecial, "non-special tokens");
        assertEquals(0, py.get("special_selected").asLong(), "transformers selected a special token");
        assertEquals(0, java.specialSelected, "special tokens selected");
        assertEquals(0, py.get("padding_selected").asLong(), "transformers selected padding");
        assertEquals(0, java.paddingSelected, "padding selected");

        // Selection: independent per piece, or per word (a word of w pieces adds w at once: variance p(1-p)Σw²).
        double spread = java.words == 0 ? java.nonSpecial : java.squaredWordSizes;
        double seSelected = Math.sqrt(p * (1 - p) * spread) / java.nonSpecial;
        check(name, "fraction selected", java.selected / (double) java.nonSpecial, py.get("fraction_selected").asDouble(),
                seSelected, seSelected);
        // The split: independent per selected piece, 0.8 / 0.1 / 0.1 (0.1·(1-2/V) and 0.1·(1+1/V) as observed).
        long pySelected = py.get("selected").asLong();
        check(name, "[MASK] among selected", java.toMask / (double) java.selected, py.get("fraction_mask").asDouble(),
                Math.sqrt(0.16 / java.selected), Math.sqrt(0.16 / pySelected));
        check(name, "random among selected", java.toRandom / (double) java.selected, py.get("fraction_random").asDouble(),
                Math.sqrt(0.09 / java.selected), Math.sqrt(0.09 / pySelected));
        check(name, "unchanged among selected", java.unchanged / (double) java.selected, py.get("fraction_unchanged").asDouble(),
                Math.sqrt(0.09 / java.selected), Math.sqrt(0.09 / pySelected));

        // Selected per sequence: SE of a mean sd/√n; of a sample sd, by the delta method, √((m4 − s⁴)/n) / 2s.
        double mean = Arrays.stream(java.perSequence).average().orElseThrow();
        double m2 = 0, m4 = 0;
        for (double c : java.perSequence) {
            m2 += (c - mean) * (c - mean);
            m4 += Math.pow(c - mean, 4);
        }
        double sd = Math.sqrt(m2 / (n - 1));
        m4 /= n;
        check(name, "selected per sequence, mean", mean, py.get("selected_per_sequence_mean").asDouble(),
                sd / Math.sqrt(n), sd / Math.sqrt(n));
        double seSd = Math.sqrt((m4 - Math.pow(sd, 4)) / n) / (2 * sd);
        check(name, "selected per sequence, std", sd, py.get("selected_per_sequence_std").asDouble(), seSd, seSd);

        if (java.words > 0) {
            JsonNode words = py.get(name.equals("whole_word") ? "words_by_offsets" : "words_by_pieces");
            assertEquals(words.get("words").asLong(), java.words, "words (the same word rule)");
            assertEquals(0, words.get("partly_masked").asLong(), "transformers masked a word in part");
            assertEquals(0, java.partly, "words masked in part");
            double seWords = Math.sqrt(p * (1 - p) / java.words);
            check(name, "words fully masked", java.fully / (double) java.words, words.get("fraction_fully").asDouble(),
                    seWords, seWords);
        }
    }

    static void check(String name, String figure, double java, double transformers, double seJava, double seTransformers) {
        double se = Math.hypot(seJava, seTransformers);
        System.out.printf("%-18s %-28s kanna %.5f  transformers %.5f  (|diff| %.1f SE)%n", name, figure, java,
                transformers, Math.abs(java - transformers) / se);
        assertEquals(transformers, java, SIGMAS * se, name + ": " + figure);
    }
}
