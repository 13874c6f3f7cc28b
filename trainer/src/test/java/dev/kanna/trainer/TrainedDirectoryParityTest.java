package dev.kanna.trainer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kanna.backend.cpu.CpuBackend;
import dev.kanna.bert.Batch;
import dev.kanna.bert.BertForSequenceClassification;
import dev.kanna.bert.LoadOptions;
import dev.kanna.tokenizer.BertTokenizer;
import dev.kanna.tokenizer.Encoding;
import dev.kanna.tokenizer.Padding;
import dev.kanna.tokenizer.Truncation;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * tiny/trained/ is a directory `kanna train` wrote; tools/reference/trainer_fixtures.py loaded it with
 * transformers (no missing or unexpected keys) and recorded its token ids and logits. Kanna must
 * read the same directory into the same ids and logits.
 */
class TrainedDirectoryParityTest {

    @Test
    void transformersAndKannaAgreeOnATrainedDirectory() throws Exception {
        Path root = Path.of(getClass().getResource("/tiny/trained/config.json").toURI()).getParent();
        JsonNode expected = new ObjectMapper().readTree(root.getParent().resolve("trained_expected.json").toFile());
        List<String> texts = new ArrayList<>();
        expected.get("texts").forEach(t -> texts.add(t.asText()));

        BertTokenizer tokenizer = BertTokenizer.load(root)
                .withTruncation(Truncation.of(expected.get("max_length").asInt()))
                .withPadding(Padding.longest());
        List<Encoding> encodings = tokenizer.encodeBatch(texts);
        int b = texts.size(), t = encodings.getFirst().size();
        int[] ids = new int[b * t], types = new int[b * t], mask = new int[b * t];
        for (int i = 0; i < b; i++) {
            Encoding e = encodings.get(i);
            for (int j = 0; j < t; j++) {
                assertEquals(expected.get("input_ids").get(i).get(j).asInt(), e.ids()[j], "token " + j + " of text " + i);
                assertEquals(expected.get("attention_mask").get(i).get(j).asInt(), e.attentionMask()[j]);
            }
            System.arraycopy(e.ids(), 0, ids, i * t, t);
            System.arraycopy(e.typeIds(), 0, types, i * t, t);
            System.arraycopy(e.attentionMask(), 0, mask, i * t, t);
        }

        try (CpuBackend backend = new CpuBackend(2)) {
            BertForSequenceClassification model = BertForSequenceClassification.load(root, backend,
                    LoadOptions.defaults().withWarnings(w -> fail("unexpected warning: " + w)));
            assertEquals(List.of("ham", "spam"), model.config().labels());
            float[][] logits = model.logits(new Batch(b, t, ids, types, mask));
            for (int i = 0; i < b; i++) {
                for (int k = 0; k < 2; k++) {
                    // 1e-4 abs: fp32 on both sides, different summation orders over a 2-layer model.
                    assertEquals(expected.get("logits").get(i).get(k).asDouble(), logits[i][k], 1e-4, "text " + i + " class " + k);
                }
            }
        }
    }
}
