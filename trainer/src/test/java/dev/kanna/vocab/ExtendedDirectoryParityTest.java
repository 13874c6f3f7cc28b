package dev.kanna.vocab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kanna.backend.cpu.CpuBackend;
import dev.kanna.bert.Batch;
import dev.kanna.bert.BertForMaskedLM;
import dev.kanna.bert.BertModel;
import dev.kanna.bert.LoadOptions;
import dev.kanna.tokenizer.BertTokenizer;
import dev.kanna.tokenizer.Encoding;
import dev.kanna.tokenizer.Padding;
import dev.kanna.tokenizer.Truncation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * tiny/extended and tiny/extended-mlm are directories `kanna extend-vocab` wrote (from tiny/model by
 * mining tiny/domain_sample.txt, and from tiny/mlm-model with tiny/domain_words.txt);
 * tools/reference/extend_vocab_fixtures.py loaded them with HF `tokenizers` and transformers and
 * recorded the ids of the 200 sample lines and the model outputs. Kanna must read the same
 * directories into the same ids and outputs, and writing them again must give the same bytes.
 */
class ExtendedDirectoryParityTest {

    static Path tiny() throws Exception {
        return Path.of(ExtendedDirectoryParityTest.class.getResource("/tiny/model/config.json").toURI()).getParent().getParent();
    }

    static JsonNode expected() throws Exception {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(tiny().resolve("extended_expected.json.gz")))) {
            return new ObjectMapper().readTree(in);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"extended", "extended-mlm"})
    void kannaTokenizesTheExtendedDirectoryAsHuggingFaceDoes(String name) throws Exception {
        JsonNode dir = expected().get("dirs").get(name);
        List<String> lines = Files.readAllLines(tiny().resolve("domain_sample.txt"));
        assertEquals(200, lines.size());
        // tokenizer.json (what load(dir) reads) and vocab.txt alone must both agree with HF.
        for (Path source : List.of(tiny().resolve(name), tiny().resolve(name).resolve("vocab.txt"))) {
            BertTokenizer tokenizer = BertTokenizer.load(source).withoutTruncation().withoutPadding();
            List<Encoding> encodings = tokenizer.encodeBatch(lines);
            int newTokens = 0;
            for (int i = 0; i < lines.size(); i++) {
                int[] ids = encodings.get(i).ids();
                JsonNode want = dir.get("ids").get(i);
                assertEquals(want.size(), ids.length, source + " line " + (i + 1));
                for (int j = 0; j < ids.length; j++) {
                    assertEquals(want.get(j).asInt(), ids[j], source + " line " + (i + 1) + " token " + j);
                    if (ids[j] >= tokenizer.vocabSize() - dir.get("added").size()) newTokens++;
                }
            }
            assertTrue(newTokens > 50, "the sample uses the new words: " + newTokens);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"extended", "extended-mlm"})
    void kannaComputesTheOutputsTransformersComputes(String name) throws Exception {
        JsonNode dir = expected().get("dirs").get(name);
        Path model = tiny().resolve(name);
        List<String> probe = new ArrayList<>();
        dir.get("probe").forEach(t -> probe.add(t.asText()));
        BertTokenizer tokenizer = BertTokenizer.load(model)
                .withTruncation(Truncation.of(expected().get("max_length").asInt())).withPadding(Padding.longest());
        List<Encoding> encodings = tokenizer.encodeBatch(probe);
        int b = probe.size(), t = encodings.getFirst().size();
        int[] ids = new int[b * t], types = new int[b * t], mask = new int[b * t];
        for (int i = 0; i < b; i++) {
            Encoding e = encodings.get(i);
            for (int j = 0; j < t; j++) assertEquals(dir.get("input_ids").get(i).get(j).asInt(), e.ids()[j]);
            System.arraycopy(e.ids(), 0, ids, i * t, t);
            System.arraycopy(e.typeIds(), 0, types, i * t, t);
            System.arraycopy(e.attentionMask(), 0, mask, i * t, t);
        }
        Batch batch = new Batch(b, t, ids, types, mask);
        LoadOptions strict = LoadOptions.defaults().withWarnings(w -> fail("unexpected warning: " + w));
        try (CpuBackend backend = new CpuBackend(2)) {
            float[][][] actual;
            JsonNode columns = dir.get("columns");
            if (dir.get("mlm").asBoolean()) {
                float[][][] logits = BertForMaskedLM.load(model, backend, strict).logits(batch);
                actual = new float[b][t][columns.size()];
                for (int i = 0; i < b; i++) {
                    for (int j = 0; j < t; j++) {
                        for (int k = 0; k < columns.size(); k++) actual[i][j][k] = logits[i][j][columns.get(k).asInt()];
                    }
                }
            } else {
                actual = BertModel.load(model, backend, strict).lastHiddenState(batch);
            }
            JsonNode want = dir.get("values");
            for (int i = 0; i < b; i++) {
                for (int j = 0; j < t; j++) {
                    if (mask[i * t + j] == 0) continue;
                    for (int k = 0; k < want.get(i).get(j).size(); k++) {
                        // 1e-4 abs: fp32 on both sides, different summation orders over a 2-layer model.
                        assertEquals(want.get(i).get(j).get(k).asDouble(), actual[i][j][k], 1e-4,
                                name + " text " + i + " position " + j + " value " + k);
                    }
                }
            }
        }
    }

    /** The committed directories are what the code writes today, byte for byte. */
    @Test
    void extendingAgainGivesTheSameBytes(@TempDir Path tmp) throws Exception {
        Path sample = tiny().resolve("domain_sample.txt");
        VocabularyExtension.run(new VocabularyExtension.Options(tiny().resolve("model"), tmp.resolve("extended"),
                List.of(sample), null, null, new WordCounts.Selection(24, 3, 3), false), line -> { });
        VocabularyExtension.run(new VocabularyExtension.Options(tiny().resolve("mlm-model"), tmp.resolve("extended-mlm"),
                List.of(sample), null, tiny().resolve("domain_words.txt"), null, false), line -> { });
        for (String name : List.of("extended", "extended-mlm")) assertSameFiles(tiny().resolve(name), tmp.resolve(name));
    }

    static void assertSameFiles(Path expected, Path actual) throws IOException {
        try (Stream<Path> files = Files.list(expected)) {
            for (Path file : files.sorted().toList()) {
                assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(actual.resolve(file.getFileName())),
                        file.toString());
            }
        }
        try (Stream<Path> a = Files.list(expected); Stream<Path> b = Files.list(actual)) {
            assertEquals(a.count(), b.count(), "files in " + actual);
        }
    }
}
