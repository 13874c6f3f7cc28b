/*
 * --reinit-top on a 3-layer classifier loaded from a checkpoint of std 0.5 (far from a fresh
 * BERT's 0.02): the top n layers and the pooler come back as transformers' _init_weights makes
 * them (Linear weights mean ≈ 0 and std ≈ initializer_range, biases 0, LayerNorm weight 1 and
 * bias 0), everything else is bit-identical to the checkpoint, and the same seed gives the same
 * weights (another seed other ones).
 */
package dev.kanna.bert;

import dev.kanna.autograd.Parameter;
import dev.kanna.backend.Backend;
import dev.kanna.backend.cpu.CpuBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ReinitTopTest {
    static final BertConfig CONFIG = BertConfig.builder().vocabSize(30).hiddenSize(32).numHiddenLayers(3)
            .numAttentionHeads(4).intermediateSize(64).maxPositionEmbeddings(16).build();
    static Backend backend;

    @BeforeAll
    static void open() {
        backend = new CpuBackend(1);
    }

    @AfterAll
    static void close() {
        backend.close();
    }

    static BertForSequenceClassification model() {
        return BertForSequenceClassification.load(RandomCheckpoint.of(CONFIG, 5, 0.5, true, true, false), CONFIG,
                backend, LoadOptions.defaults());
    }

    @Test
    void topLayersAndPoolerStartFreshTheRestIsUntouched() {
        var checkpoint = model();
        var model = model();
        List<String> written = ReinitTop.apply(model, 2, 42);
        assertEquals(2 * 16 + 2, written.size(), "16 HF tensors per layer (query, key, value apart), the pooler's 2");
        double range = CONFIG.initializerRange();
        List<String> fresh = new ArrayList<>();
        for (int k = 0; k < model.parameters().size(); k++) {
            Parameter p = model.parameters().get(k);
            float[] now = backend.download(p.value()), before = backend.download(checkpoint.parameters().get(k).value());
            String name = p.name();
            boolean reinit = name.startsWith("bert.encoder.layer.1.") || name.startsWith("bert.encoder.layer.2.")
                    || name.startsWith("bert.pooler.");
            if (!reinit) {
                assertArrayEquals(before, now, name + " is bit-identical to the checkpoint");
                continue;
            }
            fresh.add(name);
            assertFalse(java.util.Arrays.equals(before, now), name + " changed");
            if (name.endsWith("LayerNorm.weight")) {
                for (float x : now) assertEquals(1f, x, name);
            } else if (name.endsWith(".bias")) {
                for (float x : now) assertEquals(0f, x, name);
            } else {
                double mean = 0, sq = 0;
                for (float x : now) mean += x;
                mean /= now.length;
                for (float x : now) sq += (x - mean) * (x - mean);
                double std = Math.sqrt(sq / now.length);
                // n ≥ 1024 draws: the sample mean is within 5 standard errors (0.02 / √n) of 0,
                // the sample std within 10% of 0.02 (its standard error is ~2.2% at n = 1024)
                assertEquals(0, mean, 5 * range / Math.sqrt(now.length), name + " mean");
                assertEquals(range, std, 0.1 * range, name + " std");
            }
        }
        assertEquals(2 * 12 + 2, fresh.size(), "every parameter of layers 1-2 and the pooler");
        assertTrue(written.contains("bert.encoder.layer.1.attention.self.key.weight"), "fused parts by their own names");
    }

    @Test
    void sameSeedSameWeightsOtherSeedOtherWeights() {
        var a = model();
        var b = model();
        var c = model();
        ReinitTop.apply(a, 1, 7);
        ReinitTop.apply(b, 1, 7);
        ReinitTop.apply(c, 1, 8);
        boolean anyDifferent = false;
        for (int k = 0; k < a.parameters().size(); k++) {
            float[] x = backend.download(a.parameters().get(k).value());
            assertArrayEquals(x, backend.download(b.parameters().get(k).value()));
            anyDifferent |= !java.util.Arrays.equals(x, backend.download(c.parameters().get(k).value()));
        }
        assertTrue(anyDifferent);
    }

    @Test
    void theReinitialisedPoolerIsTheOneAFreshHeadGets() {
        // a checkpoint without a pooler loads one fresh from the stream of (seed, name): --reinit-top draws the same
        var withoutPooler = BertForSequenceClassification.load(RandomCheckpoint.of(CONFIG, 5, 0.5, false, true, false),
                CONFIG, backend, LoadOptions.defaults().withSeed(42));
        var model = model();
        ReinitTop.apply(model, 1, 42);
        Parameter fresh = find(withoutPooler, "bert.pooler.dense.weight"), reinit = find(model, "bert.pooler.dense.weight");
        assertArrayEquals(backend.download(fresh.value()), backend.download(reinit.value()));
    }

    @Test
    void zeroDoesNothingAndMoreThanTheLayersIsRefused() {
        var model = model();
        assertEquals(List.of(), ReinitTop.apply(model, 0, 1));
        var e = assertThrows(IllegalArgumentException.class, () -> ReinitTop.apply(model, 4, 1));
        assertEquals("cannot re-initialise the top 4 layers of a model with 3", e.getMessage());
    }

    static Parameter find(PretrainedBert model, String name) {
        return model.parameters().stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
    }
}
