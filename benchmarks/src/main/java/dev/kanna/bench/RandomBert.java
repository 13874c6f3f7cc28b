/*
 * A BERT checkpoint of a chosen shape with random weights under the HF names, for benchmarks that
 * need the real model code without a real model: normal(0, 0.02) matrices and biases, LayerNorm
 * weights 1 and biases 0. The pooler and classifier are left out (the model creates them, seeded).
 */
package dev.kanna.bench;

import dev.kanna.bert.BertConfig;
import dev.kanna.bert.WeightSource;
import dev.kanna.tensor.HostTensor;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

final class RandomBert {
    private RandomBert() {
    }

    /** A config with MiniLM's or bert-base's vocabulary, positions and dropout, of the given size. */
    static BertConfig config(int layers, int hidden, int heads, int intermediate) {
        return BertConfig.builder().vocabSize(30522).hiddenSize(hidden).numHiddenLayers(layers).numAttentionHeads(heads)
                .intermediateSize(intermediate).maxPositionEmbeddings(512).typeVocabSize(2)
                .labels(List.of("ham", "spam")).build();
    }

    static WeightSource weights(BertConfig config, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Map<String, HostTensor> t = new LinkedHashMap<>();
        int c = config.hiddenSize(), inter = config.intermediateSize();
        normal(t, r, "bert.embeddings.word_embeddings.weight", config.vocabSize(), c);
        normal(t, r, "bert.embeddings.position_embeddings.weight", config.maxPositionEmbeddings(), c);
        normal(t, r, "bert.embeddings.token_type_embeddings.weight", config.typeVocabSize(), c);
        norm(t, "bert.embeddings.LayerNorm", c);
        for (int i = 0; i < config.numHiddenLayers(); i++) {
            String p = "bert.encoder.layer." + i + ".";
            for (String n : List.of("attention.self.query", "attention.self.key", "attention.self.value",
                    "attention.output.dense")) {
                normal(t, r, p + n + ".weight", c, c);
                normal(t, r, p + n + ".bias", c);
            }
            normal(t, r, p + "intermediate.dense.weight", inter, c);
            normal(t, r, p + "intermediate.dense.bias", inter);
            normal(t, r, p + "output.dense.weight", c, inter);
            normal(t, r, p + "output.dense.bias", c);
            norm(t, p + "attention.output.LayerNorm", c);
            norm(t, p + "output.LayerNorm", c);
        }
        return WeightSource.of("random", t);
    }

    private static void normal(Map<String, HostTensor> t, SplittableRandom r, String name, int... shape) {
        int n = Math.multiplyExact(shape[0], shape.length > 1 ? shape[1] : 1);
        float[] v = new float[n];
        for (int k = 0; k < n; k++) v[k] = (float) (gaussian(r) * 0.02);
        t.put(name, new HostTensor(shape, v));
    }

    private static void norm(Map<String, HostTensor> t, String name, int c) {
        float[] w = new float[c];
        Arrays.fill(w, 1f);
        t.put(name + ".weight", new HostTensor(new int[]{c}, w));
        t.put(name + ".bias", new HostTensor(new int[]{c}, new float[c]));
    }

    private static double gaussian(SplittableRandom r) {   // Box–Muller: SplittableRandom has no nextGaussian
        return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    /** Random token ids (B, T) with the last (b % 4)·T/8 positions of sequence b padded, and random labels. */
    static dev.kanna.bert.Batch batch(int b, int t, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] ids = new int[b * t], types = new int[b * t], mask = new int[b * t];
        for (int s = 0; s < b; s++) {
            int tokens = t - (s % 4) * t / 8;
            for (int j = 0; j < tokens; j++) {
                ids[s * t + j] = j == 0 ? 101 : 1000 + r.nextInt(29000);
                mask[s * t + j] = 1;
            }
        }
        return new dev.kanna.bert.Batch(b, t, ids, types, mask);
    }
}
