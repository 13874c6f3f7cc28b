/*
 * AdamW's parameter groups and bookkeeping: weight decay skips biases and LayerNorm weights (as
 * transformers' Trainer), moments exist for trainable parameters only, and frozen ones are refused.
 */
package dev.kanna.optim;

import dev.kanna.autograd.Parameter;
import dev.kanna.backend.Backend;
import dev.kanna.backend.cpu.CpuBackend;
import dev.kanna.bert.BertConfig;
import dev.kanna.bert.BertForSequenceClassification;
import dev.kanna.bert.FreezePolicy;
import dev.kanna.bert.LoadOptions;
import dev.kanna.bert.RandomCheckpoint;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class AdamWGroupsTest {

    @Test
    void decayExcludesBiasesAndLayerNormWeights() {
        BertConfig config = BertConfig.builder().vocabSize(20).hiddenSize(8).numHiddenLayers(1).numAttentionHeads(2)
                .intermediateSize(8).maxPositionEmbeddings(8).build();
        try (Backend backend = new CpuBackend(1)) {
            var model = BertForSequenceClassification.load(RandomCheckpoint.of(config, 1, 0.1, true, true, false), config,
                    backend, LoadOptions.defaults());
            List<String> decayed = model.parameters().stream().filter(Parameter::decays).map(Parameter::name).toList();
            assertEquals(List.of("bert.embeddings.word_embeddings.weight", "bert.embeddings.position_embeddings.weight",
                    "bert.embeddings.token_type_embeddings.weight", "bert.encoder.layer.0.attention.self.{query,key,value}.weight",
                    "bert.encoder.layer.0.attention.output.dense.weight", "bert.encoder.layer.0.intermediate.dense.weight",
                    "bert.encoder.layer.0.output.dense.weight", "bert.pooler.dense.weight", "classifier.weight"), decayed);

            var trainable = FreezePolicy.unfreezeTop(0).apply(model);
            var adam = new AdamW(trainable.parameters(), AdamW.Options.defaults().withWeightDecay(0.5));
            assertEquals(4, adam.state().expAvg().size(), "moments for the pooler and classifier only");
            // one step with zero gradients: only decay moves weights, and only the decayed ones
            float[] weight = backend.download(trainable.parameters().get(0).value());
            float[] bias = backend.download(trainable.parameters().get(1).value());
            adam.step(0.1);
            float[] decayedWeight = new float[weight.length];
            for (int k = 0; k < weight.length; k++) decayedWeight[k] = weight[k] * (float) (1 - 0.1 * 0.5);
            assertArrayEquals(decayedWeight, backend.download(trainable.parameters().get(0).value()));
            assertArrayEquals(bias, backend.download(trainable.parameters().get(1).value()));

            Parameter frozen = model.parameters().getFirst();
            assertThrows(IllegalArgumentException.class, () -> new AdamW(List.of(frozen), AdamW.Options.defaults()));
        }
    }
}
