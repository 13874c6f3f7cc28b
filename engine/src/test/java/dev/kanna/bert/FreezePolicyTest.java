/*
 * Freezing policies over HF names, and the TrainableParameters view listing exactly what trains.
 */
package dev.kanna.bert;

import dev.kanna.backend.Backend;
import dev.kanna.backend.cpu.CpuBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FreezePolicyTest {
    static final BertConfig CONFIG = BertConfig.builder().vocabSize(20).hiddenSize(8).numHiddenLayers(3)
            .numAttentionHeads(2).intermediateSize(8).maxPositionEmbeddings(8).build();
    static Backend backend;
    static BertForSequenceClassification model;

    @BeforeAll
    static void open() {
        backend = new CpuBackend(1);
        model = BertForSequenceClassification.load(RandomCheckpoint.of(CONFIG, 1, 0.1, true, true, false), CONFIG,
                backend, LoadOptions.defaults());
    }

    @AfterAll
    static void close() {
        backend.close();
    }

    static List<String> layer(int i) {
        String p = "bert.encoder.layer." + i + ".";
        List<String> names = new ArrayList<>();
        for (String n : List.of("attention.self.query.weight", "attention.self.key.weight", "attention.self.value.weight",
                "attention.self.query.bias", "attention.self.key.bias", "attention.self.value.bias",
                "attention.output.dense.weight", "attention.output.dense.bias", "attention.output.LayerNorm.weight",
                "attention.output.LayerNorm.bias", "intermediate.dense.weight", "intermediate.dense.bias",
                "output.dense.weight", "output.dense.bias", "output.LayerNorm.weight", "output.LayerNorm.bias")) {
            names.add(p + n);
        }
        return names;
    }

    static final List<String> HEAD = List.of("bert.pooler.dense.weight", "bert.pooler.dense.bias", "classifier.weight", "classifier.bias");
    static final List<String> EMBEDDINGS = List.of("bert.embeddings.word_embeddings.weight",
            "bert.embeddings.position_embeddings.weight", "bert.embeddings.token_type_embeddings.weight",
            "bert.embeddings.LayerNorm.weight", "bert.embeddings.LayerNorm.bias");

    static List<String> concat(List<?>... parts) {
        List<String> out = new ArrayList<>();
        for (List<?> p : parts) for (Object o : p) out.add((String) o);
        return out;
    }

    @Test
    void topNUnfreezesTheTopLayersAndEverythingAbove() {
        assertEquals(HEAD, FreezePolicy.unfreezeTop(0).apply(model).names());
        assertEquals(concat(layer(2), HEAD), FreezePolicy.unfreezeTop(1).apply(model).names());
        assertEquals(concat(layer(1), layer(2), HEAD), FreezePolicy.unfreezeTop(2).apply(model).names());
        assertEquals(concat(layer(0), layer(1), layer(2), HEAD), FreezePolicy.unfreezeTop(7).apply(model).names());
        assertThrows(IllegalArgumentException.class, () -> FreezePolicy.unfreezeTop(-1));
    }

    @Test
    void allAndFrozenEmbeddings() {
        List<String> everything = concat(EMBEDDINGS, layer(0), layer(1), layer(2), HEAD);
        assertEquals(everything, FreezePolicy.all().apply(model).names());
        assertEquals(concat(layer(0), layer(1), layer(2), HEAD), FreezePolicy.all().withFrozenEmbeddings().apply(model).names());
        TrainableParameters t = FreezePolicy.all().apply(model);
        long total = model.parameters().stream().mapToLong(p -> p.size()).sum();
        assertEquals(total, t.count());
        assertTrue(t.summary().startsWith(String.format("%,d of %,d parameters train (100.0%%)", total, total)), t.summary());
    }

    @Test
    void patternOverHfNames() {
        assertEquals(List.of("classifier.weight", "classifier.bias"), FreezePolicy.pattern("^classifier\\.").apply(model).names());
        // a fused projection trains as one: matching the query weight trains key and value weights too
        assertEquals(layer(1).subList(0, 3), FreezePolicy.pattern("layer\\.1\\.attention\\.self\\.query\\.weight").apply(model).names());
        assertEquals(List.of("bert.embeddings.LayerNorm.weight", "bert.embeddings.LayerNorm.bias"),
                FreezePolicy.pattern("embeddings\\.LayerNorm").apply(model).names());
        assertEquals(List.of(), FreezePolicy.pattern("embeddings\\.LayerNorm").withFrozenEmbeddings().apply(model).names());
    }
}
