/*
 * The few-sample settings on a tiny 3-layer classifier, listed parameter by parameter: the peak
 * learning rate each gets under --layer-lr-decay 0.5 (head and pooler lr, top layer lr/2, ...,
 * embeddings lr/16) and with --head-lr; which parameters train in each epoch of gradual unfreezing;
 * that a parameter held back this epoch does not move; and the one-line refusals of bad settings.
 */
package dev.kanna.train;

import dev.kanna.autograd.Parameter;
import dev.kanna.backend.Backend;
import dev.kanna.backend.cpu.CpuBackend;
import dev.kanna.bert.Batch;
import dev.kanna.bert.BertConfig;
import dev.kanna.bert.BertForSequenceClassification;
import dev.kanna.bert.FreezePolicy;
import dev.kanna.bert.LoadOptions;
import dev.kanna.bert.RandomCheckpoint;
import dev.kanna.optim.AdamW;
import dev.kanna.optim.LrSchedule;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.*;

class LayerwiseTrainingTest {
    static final double LR = 1e-3;
    static final BertConfig CONFIG = BertConfig.builder().vocabSize(20).hiddenSize(8).numHiddenLayers(3)
            .numAttentionHeads(2).intermediateSize(8).maxPositionEmbeddings(8).build();
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
        return BertForSequenceClassification.load(RandomCheckpoint.of(CONFIG, 1, 0.1, true, true, false), CONFIG,
                backend, LoadOptions.defaults());
    }

    static FineTuner tuner(BertForSequenceClassification model, FreezePolicy policy, LayerwiseTraining layerwise) {
        var settings = new FineTuner.Settings(LR, new LrSchedule(LrSchedule.Kind.CONSTANT, 0, 10), AdamW.Options.defaults(),
                1.0, 0f, null, false, 1);
        return new FineTuner(model, policy, settings, layerwise);
    }

    /** "name rate" for every parameter AdamW holds, in model order. */
    static String rates(FineTuner tuner) {
        StringBuilder sb = new StringBuilder();
        List<Parameter> params = tuner.optimizer().parameters();
        for (int k = 0; k < params.size(); k++) {
            sb.append(String.format(Locale.ROOT, "%s %.5g%n", params.get(k).name(), LR * tuner.optimizer().lrScale(k)));
        }
        return sb.toString();
    }

    @Test
    void layerLrDecayAssignsEveryParameterItsRate() {
        // L = 3: head and pooler lr, layer 2 lr·0.5, layer 1 lr·0.25, layer 0 lr·0.125, embeddings lr·0.0625
        assertEquals("""
                bert.embeddings.word_embeddings.weight 6.2500e-05
                bert.embeddings.position_embeddings.weight 6.2500e-05
                bert.embeddings.token_type_embeddings.weight 6.2500e-05
                bert.embeddings.LayerNorm.weight 6.2500e-05
                bert.embeddings.LayerNorm.bias 6.2500e-05
                bert.encoder.layer.0.attention.self.{query,key,value}.weight 0.00012500
                bert.encoder.layer.0.attention.self.{query,key,value}.bias 0.00012500
                bert.encoder.layer.0.attention.output.dense.weight 0.00012500
                bert.encoder.layer.0.attention.output.dense.bias 0.00012500
                bert.encoder.layer.0.attention.output.LayerNorm.weight 0.00012500
                bert.encoder.layer.0.attention.output.LayerNorm.bias 0.00012500
                bert.encoder.layer.0.intermediate.dense.weight 0.00012500
                bert.encoder.layer.0.intermediate.dense.bias 0.00012500
                bert.encoder.layer.0.output.dense.weight 0.00012500
                bert.encoder.layer.0.output.dense.bias 0.00012500
                bert.encoder.layer.0.output.LayerNorm.weight 0.00012500
                bert.encoder.layer.0.output.LayerNorm.bias 0.00012500
                bert.encoder.layer.1.attention.self.{query,key,value}.weight 0.00025000
                bert.encoder.layer.1.attention.self.{query,key,value}.bias 0.00025000
                bert.encoder.layer.1.attention.output.dense.weight 0.00025000
                bert.encoder.layer.1.attention.output.dense.bias 0.00025000
                bert.encoder.layer.1.attention.output.LayerNorm.weight 0.00025000
                bert.encoder.layer.1.attention.output.LayerNorm.bias 0.00025000
                bert.encoder.layer.1.intermediate.dense.weight 0.00025000
                bert.encoder.layer.1.intermediate.dense.bias 0.00025000
                bert.encoder.layer.1.output.dense.weight 0.00025000
                bert.encoder.layer.1.output.dense.bias 0.00025000
                bert.encoder.layer.1.output.LayerNorm.weight 0.00025000
                bert.encoder.layer.1.output.LayerNorm.bias 0.00025000
                bert.encoder.layer.2.attention.self.{query,key,value}.weight 0.00050000
                bert.encoder.layer.2.attention.self.{query,key,value}.bias 0.00050000
                bert.encoder.layer.2.attention.output.dense.weight 0.00050000
                bert.encoder.layer.2.attention.output.dense.bias 0.00050000
                bert.encoder.layer.2.attention.output.LayerNorm.weight 0.00050000
                bert.encoder.layer.2.attention.output.LayerNorm.bias 0.00050000
                bert.encoder.layer.2.intermediate.dense.weight 0.00050000
                bert.encoder.layer.2.intermediate.dense.bias 0.00050000
                bert.encoder.layer.2.output.dense.weight 0.00050000
                bert.encoder.layer.2.output.dense.bias 0.00050000
                bert.encoder.layer.2.output.LayerNorm.weight 0.00050000
                bert.encoder.layer.2.output.LayerNorm.bias 0.00050000
                bert.pooler.dense.weight 0.0010000
                bert.pooler.dense.bias 0.0010000
                classifier.weight 0.0010000
                classifier.bias 0.0010000
                """, rates(tuner(model(), FreezePolicy.all(), new LayerwiseTraining(0.5, 0, false))));
    }

    @Test
    void headLrSetsTheHeadAndPoolerAndLeavesTheLayersOnLr() {
        // --unfreeze-top 2 --layer-lr-decay 0.5 --head-lr 5e-3: only what trains is listed
        assertEquals("""
                bert.encoder.layer.1.attention.self.{query,key,value}.weight 0.00025000
                bert.encoder.layer.1.attention.self.{query,key,value}.bias 0.00025000
                bert.encoder.layer.1.attention.output.dense.weight 0.00025000
                bert.encoder.layer.1.attention.output.dense.bias 0.00025000
                bert.encoder.layer.1.attention.output.LayerNorm.weight 0.00025000
                bert.encoder.layer.1.attention.output.LayerNorm.bias 0.00025000
                bert.encoder.layer.1.intermediate.dense.weight 0.00025000
                bert.encoder.layer.1.intermediate.dense.bias 0.00025000
                bert.encoder.layer.1.output.dense.weight 0.00025000
                bert.encoder.layer.1.output.dense.bias 0.00025000
                bert.encoder.layer.1.output.LayerNorm.weight 0.00025000
                bert.encoder.layer.1.output.LayerNorm.bias 0.00025000
                bert.encoder.layer.2.attention.self.{query,key,value}.weight 0.00050000
                bert.encoder.layer.2.attention.self.{query,key,value}.bias 0.00050000
                bert.encoder.layer.2.attention.output.dense.weight 0.00050000
                bert.encoder.layer.2.attention.output.dense.bias 0.00050000
                bert.encoder.layer.2.attention.output.LayerNorm.weight 0.00050000
                bert.encoder.layer.2.attention.output.LayerNorm.bias 0.00050000
                bert.encoder.layer.2.intermediate.dense.weight 0.00050000
                bert.encoder.layer.2.intermediate.dense.bias 0.00050000
                bert.encoder.layer.2.output.dense.weight 0.00050000
                bert.encoder.layer.2.output.dense.bias 0.00050000
                bert.encoder.layer.2.output.LayerNorm.weight 0.00050000
                bert.encoder.layer.2.output.LayerNorm.bias 0.00050000
                bert.pooler.dense.weight 0.0050000
                bert.pooler.dense.bias 0.0050000
                classifier.weight 0.0050000
                classifier.bias 0.0050000
                """, rates(tuner(model(), FreezePolicy.unfreezeTop(2), new LayerwiseTraining(0.5, 5e-3, false))));
        // --head-lr alone: one rate for the layers, another for the head
        FineTuner headOnly = tuner(model(), FreezePolicy.unfreezeTop(1), new LayerwiseTraining(1.0, 5e-3, false));
        for (int k = 0; k < headOnly.optimizer().parameters().size(); k++) {
            String name = headOnly.optimizer().parameters().get(k).name();
            double expected = name.startsWith("bert.encoder.") ? 1.0 : 5.0;
            assertEquals(expected, headOnly.optimizer().lrScale(k), 1e-15, name);
        }
    }

    @Test
    void theMaskedLmHeadIsTheHeadAndItsTiedDecoderTheEmbeddings() {
        var mlm = dev.kanna.bert.BertForMaskedLM.load(RandomCheckpoint.of(CONFIG, 1, 0.1, false, false, true), CONFIG,
                backend, LoadOptions.defaults());
        var settings = new FineTuner.Settings(LR, new LrSchedule(LrSchedule.Kind.CONSTANT, 0, 10), AdamW.Options.defaults(),
                1.0, 0f, null, false, 1);
        String listing = rates(new FineTuner(mlm, FreezePolicy.pattern("embeddings\\.word|cls\\."), settings,
                new LayerwiseTraining(0.5, 5e-3, false)));
        assertEquals("""
                bert.embeddings.word_embeddings.weight 6.2500e-05
                cls.predictions.transform.dense.weight 0.0050000
                cls.predictions.transform.dense.bias 0.0050000
                cls.predictions.transform.LayerNorm.weight 0.0050000
                cls.predictions.transform.LayerNorm.bias 0.0050000
                cls.predictions.bias 0.0050000
                """, listing);
    }

    @Test
    void withoutFewSampleSettingsEveryMultiplierIsExactlyOne() {
        FineTuner plain = tuner(model(), FreezePolicy.all(), LayerwiseTraining.none());
        for (int k = 0; k < plain.optimizer().parameters().size(); k++) assertEquals(1.0, plain.optimizer().lrScale(k));
    }

    /** The HF names (fused ones as one) of the parameters that train now. */
    static List<String> training(FineTuner tuner) {
        return tuner.training().stream().map(Parameter::name).map(n -> n.replaceFirst("\\.(weight|bias)$", ""))
                .distinct().toList();
    }

    @Test
    void gradualUnfreezingTrainsOneMoreLayerEachEpochWithinThePolicy() {
        FineTuner tuner = tuner(model(), FreezePolicy.unfreezeTop(2), new LayerwiseTraining(1.0, 0, true));
        List<String> head = List.of("bert.pooler.dense", "classifier");
        List<String> layer2 = layer(2), layer1 = layer(1);
        assertEquals(head, training(tuner), "epoch 0, right after construction");
        assertEquals(List.of("head"), tuner.startEpoch(0));
        assertEquals(head, training(tuner));
        assertEquals(List.of("head", "layer 2"), tuner.startEpoch(1));
        assertEquals(concat(layer2, head), training(tuner));
        assertEquals(List.of("head", "layer 2", "layer 1"), tuner.startEpoch(2));
        assertEquals(concat(layer1, layer2, head), training(tuner));
        assertEquals(List.of("head", "layer 2", "layer 1"), tuner.startEpoch(3), "the policy's limit: layer 0 stays frozen");
        assertEquals(concat(layer1, layer2, head), training(tuner));
        assertEquals(concat(layer1, layer2, head), tuner.trainable().parameters().stream().map(Parameter::name)
                .map(n -> n.replaceFirst("\\.(weight|bias)$", "")).distinct().toList(), "AdamW holds the policy's whole set");
        assertEquals(1, tuner.frozenLowerLayers(), "the stack no epoch trains: the embeddings and layer 0");

        // every layer: the embeddings come last, in epoch L + 1 = 4
        FineTuner all = tuner(model(), FreezePolicy.all(), new LayerwiseTraining(1.0, 0, true));
        assertEquals(List.of("head", "layer 2", "layer 1", "layer 0", "embeddings"), all.startEpoch(4));
        assertEquals(all.trainable().parameters(), all.training());
        assertEquals(0, all.frozenLowerLayers());
        // a pattern that skips layers: one more of the layers it trains per epoch
        FineTuner pattern = tuner(model(), FreezePolicy.pattern("layer\\.0\\.|classifier"), new LayerwiseTraining(1.0, 0, true));
        assertEquals(List.of("classifier"), training(pattern));
        assertEquals(List.of("head", "layer 0"), pattern.startEpoch(1));
        assertEquals(concat(layer(0), List.of("classifier")), training(pattern));
    }

    @Test
    void aParameterHeldBackThisEpochDoesNotMoveAndStartsItsOwnStepCount() {
        var model = model();
        FineTuner tuner = tuner(model, FreezePolicy.unfreezeTop(1), new LayerwiseTraining(1.0, 0, true));
        Parameter top = model.parameters().stream().filter(p -> p.name().equals("bert.encoder.layer.2.output.dense.weight"))
                .findFirst().orElseThrow();
        Parameter classifier = model.parameters().stream().filter(p -> p.name().equals("classifier.weight")).findFirst().orElseThrow();
        float[] topBefore = backend.download(top.value()), classifierBefore = backend.download(classifier.value());
        Batch batch = Batch.pad(List.of(new int[]{2, 5, 7, 3}, new int[]{2, 9, 3}), 0);
        tuner.step(List.of(new FineTuner.LabelledBatch(batch, new int[]{0, 1})));
        assertArrayEquals(topBefore, backend.download(top.value()), "frozen in epoch 0");
        assertFalse(java.util.Arrays.equals(classifierBefore, backend.download(classifier.value())));
        assertEquals(java.util.Map.of(), tuner.optimizer().state().parameterSteps().entrySet().stream()
                .filter(e -> !e.getKey().startsWith("bert.encoder.layer.2.")).collect(java.util.stream.Collectors.toMap(
                        java.util.Map.Entry::getKey, java.util.Map.Entry::getValue)), "only the held-back layer lags");
        assertEquals(0L, tuner.optimizer().state().parameterSteps().get(top.name()));
        tuner.startEpoch(1);
        tuner.step(List.of(new FineTuner.LabelledBatch(batch, new int[]{0, 1})));
        assertFalse(java.util.Arrays.equals(topBefore, backend.download(top.value())), "trains from epoch 1");
        assertEquals(1L, tuner.optimizer().state().parameterSteps().get(top.name()), "its first step of its own");
        assertEquals(2, tuner.optimizer().steps());
    }

    @Test
    void badSettingsAreRefusedInOneLine() {
        for (double d : new double[]{0, -0.5, 1.5, Double.NaN}) {
            var e = assertThrows(IllegalArgumentException.class, () -> new LayerwiseTraining(d, 0, false));
            assertEquals("layer-wise learning-rate decay must be in (0, 1], got " + d, e.getMessage());
        }
        var e = assertThrows(IllegalArgumentException.class, () -> new LayerwiseTraining(1, -1e-3, false));
        assertEquals("head learning rate must be ≥ 0, got -0.001", e.getMessage());
    }

    static List<String> layer(int i) {
        String p = "bert.encoder.layer." + i + ".";
        return List.of(p + "attention.self.{query,key,value}", p + "attention.output.dense", p + "attention.output.LayerNorm",
                p + "intermediate.dense", p + "output.dense", p + "output.LayerNorm");
    }

    @SafeVarargs
    static List<String> concat(List<String>... parts) {
        List<String> all = new ArrayList<>();
        for (List<String> p : parts) all.addAll(p);
        return all;
    }
}
