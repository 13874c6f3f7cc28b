/*
 * The tape's mechanics on one linear layer: a seeded backward gives the hand-derived gradients,
 * untracked inputs get none, recording stops when nothing needs a gradient, and a tape is used once.
 */
package dev.kanna.autograd;

import dev.kanna.backend.Backend;
import dev.kanna.backend.Scope;
import dev.kanna.backend.cpu.CpuBackend;
import dev.kanna.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TapeTest {

    @Test
    void seededBackwardThroughLinearAndResidual() {
        try (Backend backend = new CpuBackend(1)) {
            Parameter w = new Parameter("w", backend.upload(new float[]{1, 2, 3, 4, 5, 6}, 2, 3));   // (O=2, I=3)
            Parameter b = new Parameter("b", backend.upload(new float[]{0.5f, -0.5f}, 2));
            w.setTrainable(true);
            b.setTrainable(true);
            try (Scope ignored = backend.scope()) {
                Tape tape = new Tape(backend);
                Ops ops = Ops.recording(tape);
                Tensor x = backend.upload(new float[]{1, 0, -1, 2, 1, 0}, 2, 3);   // (N=2, I=3), not tracked
                Tensor y = ops.linear(x, w, b);                                    // (2, 2)
                Tensor z = ops.add(y, y);                                          // y used twice
                assertEquals(2, tape.size());
                assertTrue(tape.tracks(z));
                assertFalse(tape.tracks(x));
                // objective Σ seed ⊙ z with seed = 1: ∂/∂y = 2, ∂/∂W = 2 Σₙ xₙ, ∂/∂b = 2 N
                tape.backward(z, backend.upload(new float[]{1, 1, 1, 1}, 2, 2));
                assertArrayEquals(new float[]{6, 2, -2, 6, 2, -2}, backend.download(w.grad()));
                assertArrayEquals(new float[]{4, 4}, backend.download(b.grad()));
                assertEquals(0, tape.size(), "a tape is used once");
                assertThrows(IllegalStateException.class, () -> tape.grad(x));
            }
        }
    }

    @Test
    void nothingIsRecordedWithoutATrainableParameterOrTrackedInput() {
        try (Backend backend = new CpuBackend(1)) {
            Parameter w = new Parameter("w", backend.upload(new float[]{1, 2}, 1, 2));
            try (Scope ignored = backend.scope()) {
                Tape tape = new Tape(backend);
                Ops ops = Ops.recording(tape);
                Tensor y = ops.linear(backend.upload(new float[]{3, 4}, 1, 2), w, null);
                ops.activation(y, dev.kanna.backend.Activation.TANH);
                assertEquals(0, tape.size());
                assertArrayEquals(new float[]{11}, backend.download(y));
            }
        }
    }
}
