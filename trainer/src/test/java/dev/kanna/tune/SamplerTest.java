/*
 * The samplers on synthetic objectives (no training): TPE's proposals gather near the optimum of a
 * 1-D and a 2-D (log-scaled float × categorical) function where random search's spread over the
 * range; proposals are a pure function of (seed, trial number, history); start-up trials are the
 * random sampler's; failed trials are ignored. Statistical, but deterministic: seeded.
 */
package dev.kanna.tune;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

import static org.junit.jupiter.api.Assertions.*;

class SamplerTest {
    private static final SearchSpace ONE_D = new SearchSpace(List.of(
            new SearchSpace.Parameter(Tunable.WARMUP_RATIO, new Distribution.FloatRange(0, 1, false))));
    private static final SearchSpace TWO_D = new SearchSpace(List.of(
            new SearchSpace.Parameter(Tunable.LR, new Distribution.FloatRange(1e-6, 1e-2, true)),
            new SearchSpace.Parameter(Tunable.BATCH_SIZE, new Distribution.Choice(List.of(8, 16, 32, 64)))));

    /** Runs `count` trials of the objective (maximised), proposals from the sampler; returns them in order. */
    private static List<Trial> search(Sampler sampler, ToDoubleFunction<Map<String, Object>> objective, int count) {
        List<Trial> trials = new ArrayList<>();
        for (int n = 0; n < count; n++) {
            Map<String, Object> s = sampler.propose(n, List.copyOf(trials));
            double v = objective.applyAsDouble(s);
            trials.add(new Trial(n, s, List.of(v), Trial.State.COMPLETE, v, null, 0));
        }
        return trials;
    }

    private static double meanOverLast(List<Trial> trials, int last, ToDoubleFunction<Map<String, Object>> f) {
        return trials.subList(trials.size() - last, trials.size()).stream().mapToDouble(t -> f.applyAsDouble(t.settings())).average().orElseThrow();
    }

    @Test
    void tpeConcentratesNearTheOptimumOfAOneDimensionalObjective() {
        ToDoubleFunction<Map<String, Object>> x = s -> (Double) s.get("warmup_ratio");
        ToDoubleFunction<Map<String, Object>> objective = s -> -Math.pow(x.applyAsDouble(s) - 0.73, 2);
        double tpe = 0, random = 0;
        for (long seed = 1; seed <= 5; seed++) {
            tpe += meanOverLast(search(TpeSampler.optunaDefaults(seed, ONE_D, Direction.MAXIMIZE), objective, 60), 30,
                    s -> Math.abs(x.applyAsDouble(s) - 0.73));
            random += meanOverLast(search(new RandomSampler(seed, ONE_D), objective, 60), 30, s -> Math.abs(x.applyAsDouble(s) - 0.73));
        }
        tpe /= 5;
        random /= 5;
        System.out.printf("1-D: mean |x − 0.73| of trials 30-59: TPE %.4f, random %.4f%n", tpe, random);
        // Random: E|U − 0.73| = (0.73² + 0.27²)/2 ≈ 0.30. Optuna 5's TPESampler on this very experiment
        // (20 seeds): 0.108 against its RandomSampler's 0.305; ours gives 0.102 against 0.285.
        assertTrue(random > 0.2, "random " + random);
        assertTrue(tpe < 0.5 * random, "TPE " + tpe + " vs random " + random);
    }

    @Test
    void tpeConcentratesOnALogScaleAndOnTheBestChoice() {
        ToDoubleFunction<Map<String, Object>> logLr = s -> Math.log10((Double) s.get("lr"));
        ToDoubleFunction<Map<String, Object>> objective = s -> -Math.pow(logLr.applyAsDouble(s) + 4, 2)
                - ((Integer) s.get("batch_size") == 16 ? 0 : 1.0);
        double tpeDistance = 0, randomDistance = 0, tpe16 = 0, random16 = 0;
        for (long seed = 1; seed <= 5; seed++) {
            List<Trial> t = search(TpeSampler.optunaDefaults(seed, TWO_D, Direction.MAXIMIZE), objective, 60);
            List<Trial> r = search(new RandomSampler(seed, TWO_D), objective, 60);
            tpeDistance += meanOverLast(t, 30, s -> Math.abs(logLr.applyAsDouble(s) + 4));
            randomDistance += meanOverLast(r, 30, s -> Math.abs(logLr.applyAsDouble(s) + 4));
            tpe16 += meanOverLast(t, 30, s -> (Integer) s.get("batch_size") == 16 ? 1 : 0);
            random16 += meanOverLast(r, 30, s -> (Integer) s.get("batch_size") == 16 ? 1 : 0);
        }
        System.out.printf("2-D: mean |log10 lr + 4| TPE %.3f, random %.3f; share of batch 16: TPE %.2f, random %.2f%n",
                tpeDistance / 5, randomDistance / 5, tpe16 / 5, random16 / 5);
        // Optuna 5 on this experiment (20 seeds): |log10 lr + 4| 0.457 vs random 0.998; batch 16 0.57 vs 0.27.
        assertTrue(tpeDistance < 0.6 * randomDistance, "TPE " + tpeDistance + " vs random " + randomDistance);
        assertTrue(tpe16 / 5 > 0.5 && random16 / 5 < 0.4, "TPE " + tpe16 / 5 + ", random " + random16 / 5);
    }

    @Test
    void proposalsArePureFunctionsOfSeedNumberAndHistory() {
        ToDoubleFunction<Map<String, Object>> objective = s -> -Math.abs(Math.log10((Double) s.get("lr")) + 3);
        List<Trial> history = search(TpeSampler.optunaDefaults(7, TWO_D, Direction.MAXIMIZE), objective, 14);
        TpeSampler again = TpeSampler.optunaDefaults(7, TWO_D, Direction.MAXIMIZE);
        assertEquals(again.propose(14, history), TpeSampler.optunaDefaults(7, TWO_D, Direction.MAXIMIZE).propose(14, history));
        assertNotEquals(again.propose(14, history), again.propose(15, history), "another trial number draws anew");
        assertNotEquals(again.propose(14, history), TpeSampler.optunaDefaults(8, TWO_D, Direction.MAXIMIZE).propose(14, history));
        // the first 10 proposals (start-up) are the random sampler's
        for (int n = 0; n < 10; n++) {
            assertEquals(new RandomSampler(7, TWO_D).propose(n, List.of()), history.get(n).settings());
        }
    }

    @Test
    void failedTrialsAreIgnored() {
        ToDoubleFunction<Map<String, Object>> objective = s -> -Math.abs(Math.log10((Double) s.get("lr")) + 3);
        List<Trial> history = search(TpeSampler.optunaDefaults(3, TWO_D, Direction.MAXIMIZE), objective, 12);
        List<Trial> withFailures = new ArrayList<>(history);
        withFailures.add(new Trial(12, Map.of("lr", 1e-6, "batch_size", 8), List.of(), Trial.State.FAILED, null, "boom", 0));
        TpeSampler tpe = TpeSampler.optunaDefaults(3, TWO_D, Direction.MAXIMIZE);
        assertEquals(tpe.propose(13, history), tpe.propose(13, withFailures));
    }

    @Test
    void prunedTrialsRankAfterCompleteOnesDeeperFirst() {
        TpeSampler tpe = TpeSampler.optunaDefaults(1, TWO_D, Direction.MAXIMIZE);
        Map<String, Object> s = Map.of("lr", 1e-4, "batch_size", 16);
        List<Trial> trials = List.of(
                new Trial(0, s, List.of(0.1, 0.2), Trial.State.COMPLETE, 0.2, null, 0),
                new Trial(1, s, List.of(0.9), Trial.State.PRUNED, null, null, 0),
                new Trial(2, s, List.of(0.3, 0.1), Trial.State.PRUNED, null, null, 0),
                new Trial(3, s, List.of(0.5, 0.6), Trial.State.COMPLETE, 0.6, null, 0));
        assertEquals(List.of(3), tpe.split(trials, 1).get(0).stream().map(Trial::number).toList());
        assertEquals(List.of(0, 3), tpe.split(trials, 2).get(0).stream().map(Trial::number).toList());
        assertEquals(List.of(0, 2, 3), tpe.split(trials, 3).get(0).stream().map(Trial::number).toList(),
                "trial 2 reached epoch 2, trial 1 only epoch 1");
        assertEquals(List.of(1), tpe.split(trials, 3).get(1).stream().map(Trial::number).toList());
        assertEquals(1, TpeSampler.gamma(10));
        assertEquals(2, TpeSampler.gamma(11));
        assertEquals(25, TpeSampler.gamma(1000));
    }
}
