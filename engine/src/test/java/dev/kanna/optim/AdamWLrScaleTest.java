/*
 * AdamW's per-parameter learning-rate multipliers and step counts: one optimizer with multipliers
 * steps each parameter bitwise as a separate AdamW at lr · multiplier would (the same arithmetic);
 * multipliers of 1 are bitwise the plain optimizer and the backend's own adamw at lr (the default
 * path unchanged); a parameter frozen for a while skips those steps and then starts its own bias
 * correction at 1, and a restored state continues bitwise.
 */
package dev.kanna.optim;

import dev.kanna.autograd.Parameter;
import dev.kanna.backend.Backend;
import dev.kanna.backend.cpu.CpuBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class AdamWLrScaleTest {
    static final int[] SIZES = {7, 33, 129};          // odd sizes: vector bodies and scalar tails
    static final double[] SCALES = {1.0, 0.5, 0.3};   // 0.3: a multiplier that is not a power of two
    static final double[] RATES = {1e-3, 9e-4, 7e-4, 5e-4};   // a decaying schedule, one rate per step
    static final AdamW.Options OPTIONS = AdamW.Options.defaults().withWeightDecay(0.01);
    static Backend backend;

    @BeforeAll
    static void open() {
        backend = new CpuBackend(2);
    }

    @AfterAll
    static void close() {
        backend.close();
    }

    /** Trainable parameters with the same seeded values in every call (names "p0", "p1"... or a bias). */
    static List<Parameter> parameters() {
        Random r = new Random(3);
        List<Parameter> ps = new ArrayList<>();
        for (int k = 0; k < SIZES.length; k++) {
            float[] v = new float[SIZES[k]];
            for (int i = 0; i < v.length; i++) v[i] = (float) r.nextGaussian();
            Parameter p = new Parameter(k == 1 ? "p1.bias" : "p" + k + ".weight", backend.upload(v, v.length));
            p.setTrainable(true);
            ps.add(p);
        }
        return ps;
    }

    /** The gradient of step s for parameter k: seeded, the same in every call. */
    static void setGrad(Parameter p, int k, int step) {
        Random r = new Random(100L * step + k);
        float[] g = new float[(int) p.size()];
        for (int i = 0; i < g.length; i++) g[i] = (float) r.nextGaussian();
        try (var scope = backend.scope()) {
            backend.copy(p.grad(), backend.upload(g, g.length));
        }
    }

    static void run(AdamW adam, List<Parameter> ps, int steps) {
        for (int s = 0; s < steps; s++) {
            for (int k = 0; k < ps.size(); k++) if (ps.get(k).trainable()) setGrad(ps.get(k), k, s);
            adam.step(RATES[s]);
            adam.zeroGrad();
        }
    }

    @Test
    void multipliersStepLikeSeparateOptimizersAtThoseRates() {
        List<Parameter> grouped = parameters();
        run(new AdamW(grouped, OPTIONS, SCALES), grouped, RATES.length);
        for (int k = 0; k < SIZES.length; k++) {
            List<Parameter> alone = List.of(parameters().get(k));
            AdamW separate = new AdamW(alone, OPTIONS);
            for (int s = 0; s < RATES.length; s++) {
                setGrad(alone.getFirst(), k, s);
                separate.step(RATES[s] * SCALES[k]);
                separate.zeroGrad();
            }
            assertArrayEquals(backend.download(alone.getFirst().value()), backend.download(grouped.get(k).value()),
                    "parameter " + k + " at multiplier " + SCALES[k]);
        }
    }

    @Test
    void multipliersOfOneAreThePlainOptimizerAndTheBackendsStepBitwise() {
        List<Parameter> plain = parameters(), ones = parameters(), direct = parameters();
        run(new AdamW(plain, OPTIONS), plain, RATES.length);
        run(new AdamW(ones, OPTIONS, new double[]{1, 1, 1}), ones, RATES.length);
        // the arithmetic before multipliers existed: backend.adamw at lr, one shared step count
        var mt = new ArrayList<dev.kanna.tensor.Tensor>();
        var vt = new ArrayList<dev.kanna.tensor.Tensor>();
        for (Parameter p : direct) {
            mt.add(backend.zeros(p.value().shape()));
            vt.add(backend.zeros(p.value().shape()));
        }
        for (int s = 0; s < RATES.length; s++) {
            for (int k = 0; k < direct.size(); k++) {
                Parameter p = direct.get(k);
                setGrad(p, k, s);
                backend.adamw(p.value(), p.grad(), mt.get(k), vt.get(k), RATES[s], 0.9, 0.999, 1e-8,
                        p.decays() ? 0.01 : 0.0, s + 1);
            }
        }
        for (int k = 0; k < SIZES.length; k++) {
            float[] expected = backend.download(direct.get(k).value());
            assertArrayEquals(expected, backend.download(plain.get(k).value()));
            assertArrayEquals(expected, backend.download(ones.get(k).value()));
        }
    }

    @Test
    void aParameterFrozenForAWhileStartsItsOwnBiasCorrection() {
        // p2 frozen for the first two steps, then trains: its two steps equal a fresh optimizer's first two
        List<Parameter> ps = parameters();
        AdamW adam = new AdamW(ps, OPTIONS, SCALES);
        ps.get(2).setTrainable(false);
        float[] before = backend.download(ps.get(2).value());
        run(adam, ps, 2);
        assertArrayEquals(before, backend.download(ps.get(2).value()), "skipped while frozen");
        assertEquals(java.util.Map.of("p2.weight", 0L), adam.state().parameterSteps());

        AdamW.State saved = adam.state();
        List<Parameter> restoredParams = parameters();
        for (int k = 0; k < 2; k++) {
            try (var scope = backend.scope()) {
                restoredParams.get(k).assign(backend.upload(backend.download(ps.get(k).value()), SIZES[k]));
            }
        }
        AdamW restored = new AdamW(restoredParams, OPTIONS, SCALES);
        restored.restore(saved);

        ps.get(2).setTrainable(true);
        for (AdamW a : List.of(adam, restored)) {
            List<Parameter> own = a == adam ? ps : restoredParams;
            for (int s = 2; s < 4; s++) {
                for (int k = 0; k < own.size(); k++) setGrad(own.get(k), k, s);
                a.step(RATES[s]);
                a.zeroGrad();
            }
        }
        List<Parameter> fresh = List.of(parameters().get(2));
        AdamW alone = new AdamW(fresh, OPTIONS);
        for (int s = 2; s < 4; s++) {
            setGrad(fresh.getFirst(), 2, s);
            alone.step(RATES[s] * SCALES[2]);
            alone.zeroGrad();
        }
        assertArrayEquals(backend.download(fresh.getFirst().value()), backend.download(ps.get(2).value()));
        for (int k = 0; k < SIZES.length; k++) {
            assertArrayEquals(backend.download(ps.get(k).value()), backend.download(restoredParams.get(k).value()),
                    "restored state continues bitwise: parameter " + k);
        }
        assertEquals(java.util.Map.of("p2.weight", 2L), adam.state().parameterSteps());
        assertEquals(4, adam.steps());
    }

    @Test
    void badMultipliersAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new AdamW(parameters(), OPTIONS, new double[]{1, 1}));
        assertThrows(IllegalArgumentException.class, () -> new AdamW(parameters(), OPTIONS, new double[]{1, 0, 1}));
        assertThrows(IllegalArgumentException.class, () -> new AdamW(parameters(), OPTIONS, new double[]{1, Double.NaN, 1}));
    }
}
