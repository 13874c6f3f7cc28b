/*
 * The two losses computed on the host (binary cross-entropy with logits, mean squared error)
 * against naive double-precision oracles written from their textbook definitions, and their
 * recorded gradients against central finite differences of those oracles.
 */
package dev.kanna.autograd;

import dev.kanna.backend.Backend;
import dev.kanna.backend.Scope;
import dev.kanna.backend.cpu.CpuBackend;
import dev.kanna.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class HostLossTest {
    /** The ops round each gradient element to fp32 once; the loss is summed in double. */
    static final double GRAD_TOLERANCE = 1e-6, LOSS_TOLERANCE = 1e-9;

    static Backend backend;

    @BeforeAll
    static void open() {
        backend = new CpuBackend(1);
    }

    @AfterAll
    static void close() {
        backend.close();
    }

    /** −[y·log σ(x) + (1 − y)·log(1 − σ(x))], averaged: the definition, in double. */
    static double bceOracle(double[] x, float[] y) {
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
            double s = 1 / (1 + Math.exp(-x[i]));
            sum -= y[i] * Math.log(s) + (1 - y[i]) * Math.log(1 - s);
        }
        return sum / x.length;
    }

    static double mseOracle(double[] x, float[] y) {
        double sum = 0;
        for (int i = 0; i < x.length; i++) sum += (x[i] - y[i]) * (x[i] - y[i]);
        return sum / x.length;
    }

    interface Oracle {
        double loss(double[] x, float[] y);
    }

    interface Op {
        double apply(Ops ops, Tensor x, float[] y, double gradScale);
    }

    @Test
    void binaryCrossEntropyMatchesDefinition() {
        Random r = new Random(3);
        for (int[] shape : new int[][]{{1, 1}, {3, 4}, {7, 5}}) {
            int n = shape[0] * shape[1];
            float[] x = new float[n], y = new float[n];
            for (int i = 0; i < n; i++) {
                x[i] = (float) (r.nextGaussian() * 4);      // saturated logits too
                y[i] = i % 3 == 0 ? 0.3f : r.nextInt(2);    // soft targets as well as 0/1
            }
            check(x, y, shape, HostLossTest::bceOracle, Ops::binaryCrossEntropyWithLogits);
        }
    }

    @Test
    void meanSquaredErrorMatchesDefinition() {
        Random r = new Random(4);
        for (int[] shape : new int[][]{{1, 1}, {5, 1}, {9}}) {
            int n = shape[0] * (shape.length > 1 ? shape[1] : 1);
            float[] x = new float[n], y = new float[n];
            for (int i = 0; i < n; i++) {
                x[i] = (float) r.nextGaussian();
                y[i] = (float) (r.nextGaussian() * 3);
            }
            check(x, y, shape, HostLossTest::mseOracle, Ops::meanSquaredError);
        }
    }

    @Test
    void saturatedLogitsStayFinite() {
        try (Scope ignored = backend.scope()) {
            Tensor x = backend.upload(new float[]{200f, -200f}, 1, 2);
            double loss = Ops.inference(backend).binaryCrossEntropyWithLogits(x, new float[]{0f, 1f}, 1.0);
            assertEquals(200.0, loss, 1e-9, "log(1 + e^200) ≈ 200 without overflow");
        }
    }

    @Test
    void targetCountMustMatch() {
        try (Scope ignored = backend.scope()) {
            Tensor x = backend.upload(new float[]{1f, 2f}, 2, 1);
            Ops ops = Ops.inference(backend);
            assertThrows(IllegalArgumentException.class, () -> ops.meanSquaredError(x, new float[]{1f}, 1.0));
            assertThrows(IllegalArgumentException.class, () -> ops.binaryCrossEntropyWithLogits(x, new float[3], 1.0));
        }
    }

    private static void check(float[] x, float[] y, int[] shape, Oracle oracle, Op op) {
        double scale = 0.5;   // as gradient accumulation over two micro-batches would ask
        double[] xd = new double[x.length];
        for (int i = 0; i < x.length; i++) xd[i] = x[i];
        try (Scope ignored = backend.scope()) {
            Tape tape = new Tape(backend);
            Tensor logits = backend.upload(x, shape);
            tape.track(logits);
            Tensor dLogits = tape.grad(logits);   // backward() forgets what it tracked; keep the tensor
            double loss = op.apply(Ops.recording(tape), logits, y, scale);
            assertEquals(oracle.loss(xd, y), loss, LOSS_TOLERANCE, "loss");
            tape.backward();
            float[] grad = backend.download(dLogits);
            for (int i = 0; i < x.length; i++) {
                double h = 1e-5, keep = xd[i];
                xd[i] = keep + h;
                double plus = oracle.loss(xd, y);
                xd[i] = keep - h;
                double minus = oracle.loss(xd, y);
                xd[i] = keep;
                assertEquals(scale * (plus - minus) / (2 * h), grad[i], GRAD_TOLERANCE, "gradient " + i);
            }
        }
    }
}
