/*
 * End-to-end finite-difference check of the tape's bookkeeping on a tiny random model: for every
 * trainable parameter, the recorded gradient's directional derivative ⟨∇L, d⟩ along a random unit
 * direction d against (L(θ + εd) − L(θ − εd)) / 2ε. The per-op backward formulas are checked
 * elsewhere in double precision; this catches what only the whole graph shows: residual
 * contributions that must add, the frozen boundary (no gradient below it, correct ones above),
 * the masked-LM decoder tied to the word embeddings (one tensor, two contributions), and each
 * task head with its loss (token classification, multi-label, regression).
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

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TapeFiniteDifferenceTest {
    static final BertConfig CONFIG = BertConfig.builder().vocabSize(30).hiddenSize(8).numHiddenLayers(2)
            .numAttentionHeads(2).intermediateSize(12).maxPositionEmbeddings(8).typeVocabSize(2)
            .labels(List.of("a", "b", "c")).build();
    static final Batch BATCH = new Batch(3, 6,
            new int[]{2, 7, 9, 11, 13, 3, 2, 5, 6, 3, 0, 0, 2, 17, 3, 0, 0, 0},
            new int[]{0, 0, 0, 1, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0},
            new int[]{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 0, 0, 0});
    static final int[] CLASS_LABELS = {2, 0, 1};
    static final int[] TOKEN_LABELS = {-100, 4, -100, 8, -100, -100, -100, 21, -100, 12, -100, -100, -100, -100, 6, -100, -100, -100};
    /** Token classification over the 3 labels: −100 on [CLS], [SEP], later pieces and padding. */
    static final int[] TAGS = {-100, 2, 0, -100, 1, -100, -100, 1, 2, -100, -100, -100, -100, 0, -100, -100, -100, -100};
    static final float[] MULTI_HOT = {1, 0, 1, 0, 0, 0, 1, 1, 1};
    static final float[] SCORES = {0.5f, -1.25f, 2f};
    /** Step along the unit direction: small enough for the ε² error, large against fp32 loss rounding (~1e-7). */
    static final double EPS = 1e-2;
    /**
     * |fd − analytic| ≤ 1e-4 + 5e-3·|analytic|: fp32 forward noise over 2ε is ~1e-5, the central
     * difference's ε² error ~1e-4 on these weights; a missing or doubled contribution is off by O(|analytic|).
     */
    static final double ABS = 1e-4, REL = 5e-3;

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
    void classificationTopLayerOnly() {
        var model = BertForSequenceClassification.load(RandomCheckpoint.of(CONFIG, 1, 0.5, true, true, false),
                CONFIG, backend, LoadOptions.defaults());
        FreezePolicy.unfreezeTop(1).apply(model);
        check(model);
        for (Parameter p : model.parameters()) {
            if (p.name().startsWith("bert.embeddings.") || p.name().startsWith("bert.encoder.layer.0.")) {
                assertNull(p.grad(), p.name() + " is below the frozen boundary");
            }
        }
    }

    @Test
    void classificationEverythingTrainable() {
        var model = BertForSequenceClassification.load(RandomCheckpoint.of(CONFIG, 2, 0.5, true, true, false),
                CONFIG, backend, LoadOptions.defaults());
        FreezePolicy.all().apply(model);
        check(model);
    }

    @Test
    void maskedLmWithTiedDecoder() {
        var model = BertForMaskedLM.load(RandomCheckpoint.of(CONFIG, 3, 0.5, false, false, true),
                CONFIG, backend, LoadOptions.defaults());
        FreezePolicy.all().apply(model);
        check(model);
    }

    @Test
    void tokenClassificationTopLayer() {
        var model = BertForTokenClassification.load(RandomCheckpoint.of(CONFIG, 4, 0.5, false, true, false),
                CONFIG, backend, LoadOptions.defaults());
        FreezePolicy.unfreezeTop(1).apply(model);
        check(model);
    }

    @Test
    void multiLabelEverythingTrainable() {
        BertConfig config = CONFIG.withProblemType("multi_label_classification");
        var model = BertForSequenceClassification.load(RandomCheckpoint.of(config, 5, 0.5, true, true, false),
                config, backend, LoadOptions.defaults());
        FreezePolicy.all().apply(model);
        check(model);
    }

    @Test
    void regressionTopLayer() {
        BertConfig config = CONFIG.withProblemType("regression").withLabels(List.of("LABEL_0"));
        var model = BertForSequenceClassification.load(RandomCheckpoint.of(config, 6, 0.5, true, true, false),
                config, backend, LoadOptions.defaults());
        FreezePolicy.unfreezeTop(1).apply(model);
        check(model);
    }

    private void check(PretrainedBert model) {
        // the analytic gradients, once
        try (Scope ignored = backend.scope()) {
            Tape tape = new Tape(backend);
            loss(model, Ops.recording(tape));
            tape.backward();
        }
        Random random = new Random(42);
        double worst = 0;
        for (Parameter p : model.parameters()) {
            if (!p.trainable()) continue;
            float[] grad = backend.download(p.grad()), theta = backend.download(p.value());
            double[] d = new double[theta.length];
            double norm = 0;
            for (int k = 0; k < d.length; k++) {
                d[k] = random.nextGaussian();
                norm += d[k] * d[k];
            }
            double analytic = 0;
            for (int k = 0; k < d.length; k++) {
                d[k] /= Math.sqrt(norm);
                analytic += grad[k] * d[k];
            }
            double plus = lossAt(model, p, theta, d, EPS), minus = lossAt(model, p, theta, d, -EPS);
            set(p, theta);
            double fd = (plus - minus) / (2 * EPS), error = Math.abs(fd - analytic);
            worst = Math.max(worst, error / (ABS + REL * Math.abs(analytic)));
            assertTrue(error <= ABS + REL * Math.abs(analytic),
                    p.name() + ": finite difference " + fd + ", tape " + analytic);
        }
        System.out.printf("%s: worst error / tolerance %.3f%n", model.getClass().getSimpleName(), worst);
    }

    private double lossAt(PretrainedBert model, Parameter p, float[] theta, double[] d, double step) {
        float[] moved = new float[theta.length];
        for (int k = 0; k < theta.length; k++) moved[k] = (float) (theta[k] + step * d[k]);
        set(p, moved);
        try (Scope ignored = backend.scope()) {
            return loss(model, Ops.inference(backend));
        }
    }

    private static void set(Parameter p, float[] values) {
        try (Scope ignored = backend.scope()) {
            backend.copy(p.value(), backend.upload(values, p.value().shape()));
        }
    }

    private static double loss(PretrainedBert model, Ops ops) {
        BertInputs inputs = BertInputs.upload(backend, BATCH, CONFIG);
        if (model instanceof BertForMaskedLM mlm) {
            Tensor logits = mlm.logits(ops, inputs);
            return ops.crossEntropy(logits, TOKEN_LABELS, null, 0f, 1.0);
        }
        if (model instanceof BertForTokenClassification token) {
            return ops.crossEntropy(token.outputs(ops, inputs), TAGS, null, 0f, 1.0);
        }
        var classifier = (BertForSequenceClassification) model;
        Tensor logits = classifier.logits(ops, inputs);
        return switch (String.valueOf(classifier.config().problemType())) {
            case "multi_label_classification" -> ops.binaryCrossEntropyWithLogits(logits, MULTI_HOT, 1.0);
            case "regression" -> ops.meanSquaredError(logits, SCORES, 1.0);
            default -> ops.crossEntropy(logits, CLASS_LABELS, new float[]{1f, 2f, 0.5f}, 0.1f, 1.0);
        };
    }
}
