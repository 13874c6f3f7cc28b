package dev.kanna.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kanna.backend.cpu.CpuBackend;
import dev.kanna.bert.Batch;
import dev.kanna.bert.BertConfig;
import dev.kanna.bert.BertForMaskedLM;
import dev.kanna.bert.LoadOptions;
import dev.kanna.io.SafetensorsFile;
import dev.kanna.task.Tasks;
import dev.kanna.tokenizer.BertTokenizer;
import dev.kanna.tokenizer.Encoding;
import dev.kanna.tokenizer.Padding;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * tiny/trained-mlm/ is a directory `kanna pretrain` wrote (config.json, model.safetensors and the
 * tokenizer files; no decoder weight of its own: it is tied to the word embeddings).
 * tools/reference/task_trained_fixtures.py --check-mlm loaded it with transformers' BertForMaskedLM
 * (no missing, unexpected or mismatched keys, the decoder tied) and recorded the token ids of a few
 * texts and their MLM logits from one padded batch (tiny/trained-mlm_logits.safetensors). Kanna must
 * read the same directory into the same ids and logits, in the library and through `kanna logits --mlm`.
 */
class PretrainedMlmParityTest {
    /**
     * fp32 on both sides, different summation orders over a 2-layer model with a 300-word decoder:
     * agreement to ~1e-6, checked at 1e-4 (the CLI's JSON floats are the shortest decimal of each float).
     */
    private static final double TOLERANCE = 1e-4;

    private static Path dir() {
        return TinyFixtures.root().resolve("trained-mlm");
    }

    private static JsonNode expected() throws Exception {
        return new ObjectMapper().readTree(TinyFixtures.root().resolve("trained-mlm_expected.json").toFile());
    }

    private static List<String> texts(JsonNode expected) {
        List<String> out = new ArrayList<>();
        expected.get("texts").forEach(n -> out.add(n.asText()));
        return out;
    }

    @Test
    void transformersAndKannaGiveTheSameIdsAndLogits() throws Exception {
        JsonNode expected = expected();
        assertEquals("BertForMaskedLM", expected.at("/architectures/0").asText());
        assertTrue(expected.get("decoder_tied").asBoolean());
        BertConfig config = BertConfig.read(dir().resolve("config.json"));
        assertEquals(List.of("BertForMaskedLM"), config.architectures());
        assertEquals(expected.get("vocab_size").asInt(), config.vocabSize());
        assertEquals("masked-lm", Tasks.of(config).name());

        List<String> texts = texts(expected);
        List<Encoding> encodings = BertTokenizer.load(dir()).withPadding(Padding.longest()).encodeBatch(texts);
        int b = texts.size(), t = encodings.getFirst().size(), v = config.vocabSize();
        int[] ids = new int[b * t], types = new int[b * t], mask = new int[b * t], lengths = new int[b];
        for (int i = 0; i < b; i++) {
            Encoding e = encodings.get(i);
            assertEquals(expected.at("/input_ids/" + i).size(), e.size(), "length of text " + i);
            for (int j = 0; j < t; j++) {
                assertEquals(expected.at("/input_ids/" + i + "/" + j).asInt(), e.ids()[j], "token " + j + " of text " + i);
                assertEquals(expected.at("/attention_mask/" + i + "/" + j).asInt(), e.attentionMask()[j]);
                lengths[i] += e.attentionMask()[j];
            }
            System.arraycopy(e.ids(), 0, ids, i * t, t);
            System.arraycopy(e.typeIds(), 0, types, i * t, t);
            System.arraycopy(e.attentionMask(), 0, mask, i * t, t);
        }

        List<String> warnings = new ArrayList<>();
        try (CpuBackend backend = new CpuBackend(2);
             SafetensorsFile logits = SafetensorsFile.open(TinyFixtures.root().resolve("trained-mlm_logits.safetensors"))) {
            BertForMaskedLM model = BertForMaskedLM.load(dir(), backend, LoadOptions.defaults().withWarnings(warnings::add));
            assertEquals(List.of(), warnings, "every tensor of the head loads (the decoder from the word embeddings)");
            float[][][] ours = model.logits(new Batch(b, t, ids, types, mask));
            for (int i = 0; i < b; i++) {
                float[] want = logits.floats("logits." + i);
                assertEquals(lengths[i] * v, want.length);
                for (int j = 0; j < lengths[i]; j++) {
                    for (int k = 0; k < v; k++) {
                        assertEquals(want[j * v + k], ours[i][j][k], TOLERANCE, "text " + i + " position " + j + " id " + k);
                    }
                }
            }
        }
    }

    @Test
    void logitsCommandPrintsTheLogitsTransformersGives() throws Exception {
        JsonNode expected = expected();
        List<String> texts = texts(expected);
        CliRun run = CliRun.withInput(String.join("\n", texts) + "\n", "logits", "--mlm", "--model", dir().toString(),
                "--device", "cpu", "--threads", "2", "--batch-size", "2");
        assertEquals(0, run.exitCode(), run.err());
        assertEquals(texts.size(), run.outLines().size(), run.out());
        ObjectMapper json = new ObjectMapper();
        try (SafetensorsFile logits = SafetensorsFile.open(TinyFixtures.root().resolve("trained-mlm_logits.safetensors"))) {
            for (int i = 0; i < texts.size(); i++) {
                JsonNode line = json.readTree(run.outLines().get(i));
                float[] want = logits.floats("logits." + i);
                int v = expected.get("vocab_size").asInt();
                assertEquals(want.length / v, line.size(), "one row per token of text " + i);
                for (int j = 0; j < line.size(); j++) {
                    assertEquals(v, line.get(j).size());
                    for (int k = 0; k < v; k++) {
                        assertEquals(want[j * v + k], line.get(j).get(k).asDouble(), TOLERANCE,
                                "text " + i + " position " + j + " id " + k);
                    }
                }
            }
        }
    }
}
