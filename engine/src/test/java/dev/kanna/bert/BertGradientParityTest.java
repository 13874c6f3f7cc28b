/*
 * Whole-model gradients against PyTorch's (tools/reference/bert_fixtures.py, dropout off): the
 * sequence-classification loss with the top N layers unfrozen (also with label smoothing, class
 * weights and an ignored label), and the masked-LM loss with everything trainable, where the
 * decoder is tied to the word embeddings. Exactly the fixture's trainable tensors must receive
 * gradients, and each must match.
 */
package dev.kanna.bert;

import dev.kanna.autograd.Ops;
import dev.kanna.autograd.Parameter;
import dev.kanna.autograd.Tape;
import dev.kanna.backend.Backend;
import dev.kanna.backend.Scope;
import dev.kanna.backend.cpu.CpuBackend;
import dev.kanna.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BertGradientParityTest {

    /** 1e-3 relative L2 error per tensor: fp32 gradients through up to 3 layers, different summation order. */
    static final double RELATIVE = 1e-3;
    /**
     * The attention key bias has an exactly zero gradient (softmax ignores a shift common to a score
     * row), so both sides hold only fp32 rounding noise there (PyTorch's norm is ~1e-8): compared absolutely.
     */
    static final double ZERO_GRADIENT_ABS = 1e-6;

    static Backend backend;

    @BeforeAll
    static void open() {
        backend = new CpuBackend(2);
    }

    @AfterAll
    static void close() {
        backend.close();
    }

    @Test
    void classificationTopTwoLayers() {
        check("gradients-top2.safetensors", "tiny-gelu/cls", FreezePolicy.unfreezeTop(2), 0f);
    }

    @Test
    void classificationWithSmoothingClassWeightsAndIgnoredLabel() {
        check("gradients-options.safetensors", "tiny-gelu/cls", FreezePolicy.unfreezeTop(1), 0.1f);
    }

    @Test
    void maskedLmEverythingTrainableWithTiedDecoder() {
        check("gradients-mlm.safetensors", "tiny-relu/mlm", FreezePolicy.all(), 0f);
    }

    private void check(String fixture, String modelDir, FreezePolicy policy, float smoothing) {
        Map<String, Fixtures.Stored> expected = Fixtures.read(Fixtures.resource("training/" + fixture));
        Path dir = Fixtures.resource(modelDir);
        BertConfig config = Fixtures.config(dir);
        boolean mlm = modelDir.endsWith("mlm");
        PretrainedBert model = mlm
                ? BertForMaskedLM.load(Fixtures.weights(dir), config, backend, LoadOptions.defaults())
                : BertForSequenceClassification.load(Fixtures.weights(dir), config, backend, LoadOptions.defaults());
        TrainableParameters trainable = policy.apply(model);
        float[] classWeights = expected.containsKey("class_weights") ? expected.get("class_weights").floats() : null;

        double loss;
        try (Scope ignored = backend.scope()) {
            Tape tape = new Tape(backend);
            Ops ops = Ops.recording(tape);
            BertInputs inputs = BertInputs.upload(backend, Fixtures.batch(expected, ""), config);
            Tensor logits = mlm ? ((BertForMaskedLM) model).logits(ops, inputs)
                    : ((BertForSequenceClassification) model).logits(ops, inputs);
            loss = ops.crossEntropy(logits, expected.get("labels").ints(), classWeights, smoothing, 1.0);
            tape.backward();
        }
        // 1e-5 abs: fp32 logits (≤ 1e-6 off) through a log-sum-exp, summed in double here, in float in torch
        assertEquals(expected.get("loss").doubles()[0], loss, 1e-5, "loss");

        Map<String, float[]> ours = gradients(trainable);
        TreeSet<String> expectedNames = new TreeSet<>();
        for (String name : expected.keySet()) if (name.startsWith("grad.")) expectedNames.add(name.substring(5));
        assertEquals(expectedNames, new TreeSet<>(ours.keySet()), "the tensors that receive gradients");
        double worst = 0;
        for (String name : expectedNames) {
            float[] ref = expected.get("grad." + name).floats(), got = ours.get(name);
            double diff = 0, norm = 0, gotNorm = 0;
            for (int k = 0; k < ref.length; k++) {
                diff += Math.pow(ref[k] - got[k], 2);
                norm += Math.pow(ref[k], 2);
                gotNorm += Math.pow(got[k], 2);
            }
            if (name.endsWith("attention.self.key.bias")) {
                assertTrue(Math.sqrt(gotNorm) <= ZERO_GRADIENT_ABS && Math.sqrt(norm) <= ZERO_GRADIENT_ABS,
                        name + ": a zero gradient expected, got norms " + Math.sqrt(gotNorm) + " (ours), " + Math.sqrt(norm));
                continue;
            }
            double relative = Math.sqrt(diff / norm);
            worst = Math.max(worst, relative);
            assertTrue(relative <= RELATIVE, name + ": relative error " + relative + " (reference norm " + Math.sqrt(norm) + ")");
        }
        System.out.printf("%s: loss %.8f vs %.8f, worst relative gradient error %.3g over %d tensors%n", fixture, loss,
                expected.get("loss").doubles()[0], worst, expectedNames.size());
    }

    /** Gradients of the trainable parameters under their HF names (fused ones split). */
    static Map<String, float[]> gradients(TrainableParameters trainable) {
        Map<String, float[]> out = new TreeMap<>();
        for (Parameter p : trainable.parameters()) {
            float[] all = backend.download(p.grad());
            int parts = p.names().size(), size = all.length / parts;
            for (int k = 0; k < parts; k++) out.put(p.names().get(k), java.util.Arrays.copyOfRange(all, k * size, (k + 1) * size));
        }
        return out;
    }
}
