/*
 * Loading rules: HF names with or without the "bert." prefix, TF-era gamma/beta, one clear error for
 * a missing or mis-shaped tensor, a fresh seeded head (with one warning) when the checkpoint has
 * none, and saving under exactly the names and values transformers' save_pretrained wrote.
 */
package dev.kanna.bert;

import dev.kanna.backend.Backend;
import dev.kanna.backend.cpu.CpuBackend;
import dev.kanna.io.SafetensorsFile;
import dev.kanna.tensor.HostTensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelLoadingTest {
    static Backend backend;
    static final Path CLS = Fixtures.resource("tiny-gelu/cls"), MLM = Fixtures.resource("tiny-gelu/mlm");

    @BeforeAll
    static void open() {
        backend = new CpuBackend(2);
    }

    @AfterAll
    static void close() {
        backend.close();
    }

    static Map<String, HostTensor> tensors(Path dir) {
        WeightSource w = Fixtures.weights(dir);
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (String n : w.names()) out.put(n, new HostTensor(w.shape(n), w.floats(n)));
        return out;
    }

    static Batch batch() {
        return Fixtures.batch(Fixtures.read(Fixtures.resource("tiny-gelu/expected.safetensors")), "");
    }

    @Test
    void checkpointWithoutPrefixAndWithGammaBetaLoadsTheSame() throws IOException {
        Map<String, HostTensor> renamed = new LinkedHashMap<>();
        tensors(CLS).forEach((name, t) -> {
            if (!name.startsWith("bert.")) return;
            String bare = name.substring(5).replace("LayerNorm.weight", "LayerNorm.gamma").replace("LayerNorm.bias", "LayerNorm.beta");
            renamed.put(bare, t);
        });
        BertConfig config = BertConfig.read(CLS);
        float[][][] expected = BertModel.load(CLS, backend, LoadOptions.defaults()).lastHiddenState(batch());
        float[][][] actual = BertModel.load(WeightSource.of("bare", renamed), config, backend, LoadOptions.defaults())
                .lastHiddenState(batch());
        for (int i = 0; i < expected.length; i++) {
            for (int t = 0; t < expected[i].length; t++) assertArrayEquals(expected[i][t], actual[i][t]);
        }
    }

    @Test
    void missingTensorIsOneLineNamingItAndItsShape() throws IOException {
        Map<String, HostTensor> t = tensors(CLS);
        t.remove("bert.encoder.layer.1.intermediate.dense.weight");
        var e = assertThrows(WeightsException.class, () -> BertForSequenceClassification.load(WeightSource.of("x/model.safetensors", t),
                BertConfig.read(CLS), backend, LoadOptions.defaults()));
        assertEquals("x/model.safetensors: missing tensor bert.encoder.layer.1.intermediate.dense.weight (expected shape "
                + "[64, 32]; also looked for it without the bert. prefix)", e.getMessage());
    }

    @Test
    void misShapedTensorIsOneLineNamingBothShapes() throws IOException {
        Map<String, HostTensor> t = tensors(CLS);
        t.put("bert.encoder.layer.0.attention.self.key.weight", new HostTensor(new int[]{32, 31}, new float[32 * 31]));
        var e = assertThrows(WeightsException.class, () -> BertForSequenceClassification.load(WeightSource.of("x/model.safetensors", t),
                BertConfig.read(CLS), backend, LoadOptions.defaults()));
        assertEquals("x/model.safetensors: tensor bert.encoder.layer.0.attention.self.key.weight has shape [32, 31], "
                + "expected [32, 32]", e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void missingHeadStartsFreshSeededWithOneWarning() throws IOException {
        // the masked-LM directory has no pooler and no classifier
        List<String> warnings = new ArrayList<>();
        BertConfig config = BertConfig.read(MLM);
        var a = BertForSequenceClassification.load(Fixtures.weights(MLM), config, backend, new LoadOptions(5, warnings::add));
        var b = BertForSequenceClassification.load(Fixtures.weights(MLM), config, backend, new LoadOptions(5, w -> { }));
        var c = BertForSequenceClassification.load(Fixtures.weights(MLM), config, backend, new LoadOptions(6, w -> { }));
        assertEquals(1, warnings.size());
        assertTrue(warnings.getFirst().contains("bert.pooler.dense.weight, bert.pooler.dense.bias, classifier.weight, classifier.bias"),
                warnings.getFirst());
        Map<String, HostTensor> sa = a.stateDict(), sb = b.stateDict(), sc = c.stateDict();
        assertArrayEquals(sa.get("classifier.weight").data(), sb.get("classifier.weight").data(), "same seed, same head");
        assertFalse(java.util.Arrays.equals(sa.get("classifier.weight").data(), sc.get("classifier.weight").data()));
        assertArrayEquals(new float[config.numLabels()], sa.get("classifier.bias").data(), "zero biases");
        // normal(0, initializer_range = 0.2): the pooler's 1024 weights have a sample std within 10% of it
        float[] w = sa.get("bert.pooler.dense.weight").data();
        double sum = 0, sq = 0;
        for (float x : w) {
            sum += x;
            sq += x * x;
        }
        double mean = sum / w.length, std = Math.sqrt(sq / w.length - mean * mean);
        assertEquals(0.2, std, 0.02, "initializer std");
        assertEquals(0.0, mean, 0.02, "initializer mean");
    }

    @Test
    void maskedLmHeadMissingWarnsAndEncoderStillLoads() throws IOException {
        List<String> warnings = new ArrayList<>();
        var mlm = BertForMaskedLM.load(Fixtures.weights(CLS), BertConfig.read(CLS), backend, new LoadOptions(1, warnings::add));
        assertEquals(1, warnings.size());
        assertTrue(warnings.getFirst().contains("cls.predictions.transform.dense.weight"), warnings.getFirst());
        assertArrayEquals(new float[32], mlm.stateDict().get("cls.predictions.transform.LayerNorm.bias").data());
    }

    @Test
    void savingWritesWhatSavePretrainedWrote(@TempDir Path out) throws IOException {
        for (Path dir : List.of(CLS, MLM)) {
            PretrainedBert model = dir == CLS ? BertForSequenceClassification.load(dir, backend, LoadOptions.defaults())
                    : BertForMaskedLM.load(dir, backend, LoadOptions.defaults());
            Path saved = out.resolve(dir.getFileName());
            model.save(saved);
            try (SafetensorsFile original = SafetensorsFile.open(dir.resolve("model.safetensors"));
                 SafetensorsFile ours = SafetensorsFile.open(saved.resolve("model.safetensors"))) {
                assertEquals(new java.util.TreeSet<>(original.names()), new java.util.TreeSet<>(ours.names()), dir + " names");
                for (String name : original.names()) {
                    assertArrayEquals(original.info(name).shape(), ours.info(name).shape(), name);
                    assertArrayEquals(original.floats(name), ours.floats(name), name);
                }
                assertEquals("pt", ours.metadata().get("format"));
            }
            BertConfig config = BertConfig.read(saved);
            assertEquals(BertConfig.read(dir).labels(), config.labels());
            assertEquals(List.of(dir == CLS ? "BertForSequenceClassification" : "BertForMaskedLM"), config.architectures());
        }
    }
}
