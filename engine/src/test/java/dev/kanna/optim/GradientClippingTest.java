/*
 * Global-norm clipping as torch.nn.utils.clip_grad_norm_, against the formula worked in double:
 * total = √Σ‖g‖², every gradient × min(1, max / (total + 1e-6)).
 */
package dev.kanna.optim;

import dev.kanna.autograd.Parameter;
import dev.kanna.backend.Backend;
import dev.kanna.backend.cpu.CpuBackend;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class GradientClippingTest {

    static Parameter withGrad(Backend backend, String name, float[] grad) {
        Parameter p = new Parameter(name, backend.zeros(grad.length));
        p.setTrainable(true);
        backend.copy(p.grad(), backend.upload(grad, grad.length));
        return p;
    }

    @Test
    void scalesEveryGradientByTheGlobalCoefficient() {
        try (Backend backend = new CpuBackend(1)) {
            float[] a = {3f, -4f}, b = {12f};   // ‖a‖ = 5, ‖b‖ = 12, total 13
            List<Parameter> ps = List.of(withGrad(backend, "a", a), withGrad(backend, "b", b));
            double total = GradientClipping.clip(ps, 1.0);
            assertEquals(13.0, total, 1e-6);
            double coef = 1.0 / (13.0 + 1e-6);
            // 1e-6 relative: torch rounds the coefficient to float32
            assertArrayEquals(new float[]{(float) (3 * coef), (float) (-4 * coef)}, backend.download(ps.get(0).grad()), 1e-6f);
            assertArrayEquals(new float[]{(float) (12 * coef)}, backend.download(ps.get(1).grad()), 1e-6f);
        }
    }

    @Test
    void leavesGradientsBelowTheThresholdUntouched() {
        try (Backend backend = new CpuBackend(1)) {
            float[] a = {0.3f, -0.4f};
            List<Parameter> ps = List.of(withGrad(backend, "a", a));
            assertEquals(0.5, GradientClipping.clip(ps, 1.0), 1e-7);
            assertArrayEquals(a, backend.download(ps.getFirst().grad()));
        }
    }
}
