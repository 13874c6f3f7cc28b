/*
 * Random BERT checkpoints built in Java for tests that need a model of a chosen shape (cost
 * measurements, finite differences): every tensor normal(0, std) under its HF name.
 */
package dev.kanna.bert;

import dev.kanna.tensor.HostTensor;
import dev.kanna.tensor.Shapes;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

public final class RandomCheckpoint {
    private RandomCheckpoint() {
    }

    /** Encoder tensors (embeddings and layers, "bert." names); heads added by the flags. */
    public static WeightSource of(BertConfig config, long seed, double std, boolean pooler, boolean classifier, boolean mlmHead) {
        Random r = new Random(seed);
        Map<String, HostTensor> t = new LinkedHashMap<>();
        int c = config.hiddenSize(), inter = config.intermediateSize();
        put(t, r, std, "bert.embeddings.word_embeddings.weight", config.vocabSize(), c);
        put(t, r, std, "bert.embeddings.position_embeddings.weight", config.maxPositionEmbeddings(), c);
        put(t, r, std, "bert.embeddings.token_type_embeddings.weight", config.typeVocabSize(), c);
        putNorm(t, r, "bert.embeddings.LayerNorm", c);
        for (int i = 0; i < config.numHiddenLayers(); i++) {
            String p = "bert.encoder.layer." + i + ".";
            for (String n : List.of("attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense")) {
                put(t, r, std, p + n + ".weight", c, c);
                put(t, r, std, p + n + ".bias", c);
            }
            put(t, r, std, p + "intermediate.dense.weight", inter, c);
            put(t, r, std, p + "intermediate.dense.bias", inter);
            put(t, r, std, p + "output.dense.weight", c, inter);
            put(t, r, std, p + "output.dense.bias", c);
            putNorm(t, r, p + "attention.output.LayerNorm", c);
            putNorm(t, r, p + "output.LayerNorm", c);
        }
        if (pooler) {
            put(t, r, std, "bert.pooler.dense.weight", c, c);
            put(t, r, std, "bert.pooler.dense.bias", c);
        }
        if (classifier) {
            put(t, r, std, "classifier.weight", config.numLabels(), c);
            put(t, r, std, "classifier.bias", config.numLabels());
        }
        if (mlmHead) {
            put(t, r, std, "cls.predictions.transform.dense.weight", c, c);
            put(t, r, std, "cls.predictions.transform.dense.bias", c);
            putNorm(t, r, "cls.predictions.transform.LayerNorm", c);
            put(t, r, std, "cls.predictions.bias", config.vocabSize());
        }
        return WeightSource.of("random", t);
    }

    private static void put(Map<String, HostTensor> t, Random r, double std, String name, int... shape) {
        float[] data = new float[Math.toIntExact(Shapes.elementCount(shape))];
        for (int k = 0; k < data.length; k++) data[k] = (float) (r.nextGaussian() * std);
        t.put(name, new HostTensor(shape, data));
    }

    /** LayerNorm weight around 1, bias around 0, so normalisation stays well conditioned. */
    private static void putNorm(Map<String, HostTensor> t, Random r, String name, int c) {
        float[] w = new float[c], b = new float[c];
        for (int k = 0; k < c; k++) {
            w[k] = (float) (1 + 0.2 * r.nextGaussian());
            b[k] = (float) (0.2 * r.nextGaussian());
        }
        t.put(name + ".weight", new HostTensor(new int[]{c}, w));
        t.put(name + ".bias", new HostTensor(new int[]{c}, b));
    }
}
