/*
 * Successive halving's rungs and promotion rule on cases worked by hand from Optuna's definition
 * (min_resource 1, reduction factor 4: rungs at steps 1, 4, 16; a value goes on when it is among the
 * top ⌊n/4⌋ of the n values recorded at its rung, itself included, or the best while n < 4). The
 * fixture test (OptunaReferenceTest) checks whole studies against Optuna itself.
 */
package dev.kanna.tune;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class SuccessiveHalvingTest {
    private final SuccessiveHalving up = SuccessiveHalving.optunaDefaults(Direction.MAXIMIZE);
    private final SuccessiveHalving down = SuccessiveHalving.optunaDefaults(Direction.MINIMIZE);

    private static Trial trial(int number, Double... values) {
        return new Trial(number, Map.of(), List.of(values), Trial.State.COMPLETE, values[values.length - 1], null, 0);
    }

    private static List<Trial> earlier(double... rung0) {
        List<Trial> trials = new ArrayList<>();
        for (double v : rung0) trials.add(trial(trials.size(), v));
        return trials;
    }

    @Test
    void rungsAreAtStepsOneFourSixteen() {
        assertEquals(1, up.rungStep(0));
        assertEquals(4, up.rungStep(1));
        assertEquals(16, up.rungStep(2));
        assertEquals(List.of(3L, 6L), List.of(new SuccessiveHalving(3, 2, 0, Direction.MAXIMIZE).rungStep(0),
                new SuccessiveHalving(3, 2, 0, Direction.MAXIMIZE).rungStep(1)));
    }

    @Test
    void theFirstTrialAlwaysGoesOn() {
        assertFalse(up.prune(List.of(), List.of(0.1)));
        assertFalse(up.prune(List.of(), List.of(0.1, 0.0, 0.0, 0.0)));
    }

    @Test
    void withFewerThanFourValuesAtARungOnlyTheBestGoesOn() {
        assertTrue(up.prune(earlier(0.5), List.of(0.4)));
        assertFalse(up.prune(earlier(0.5), List.of(0.5)), "a tie with the best goes on (value ≥ best)");
        assertFalse(up.prune(earlier(0.5, 0.2), List.of(0.6)));
        assertTrue(down.prune(earlier(0.5), List.of(0.6)));
        assertFalse(down.prune(earlier(0.5), List.of(0.4)));
    }

    @Test
    void withEightValuesTheTopTwoGoOn() {
        List<Trial> seven = earlier(0.1, 0.2, 0.3, 0.4, 0.5, 0.7, 0.8);
        assertTrue(up.prune(seven, List.of(0.6)), "0.6 is third of 8: the top ⌊8/4⌋ = 2 are 0.8 and 0.7");
        assertFalse(up.prune(seven, List.of(0.7)));
        assertFalse(up.prune(seven, List.of(0.9)));
        // minimise: the two smallest of 0.1 0.2 0.25 0.3 0.4 0.5 0.7 0.8
        assertFalse(down.prune(seven, List.of(0.15)));
        assertTrue(down.prune(seven, List.of(0.25)));
    }

    @Test
    void betweenRungsNothingIsPruned() {
        List<Trial> strong = earlier(0.9, 0.95);
        assertFalse(up.prune(List.of(trial(0, 0.1)), List.of(0.5, 0.0)), "step 2 is no rung");
        assertFalse(up.prune(strong, List.of(0.99, 0.0, 0.0)), "passed rung 0; steps 2 and 3 are no rung");
    }

    @Test
    void rungOneComparesOnlyTrialsThatReachedStepFour() {
        List<Trial> trials = List.of(trial(0, 0.9, 0.9, 0.9, 0.9), trial(1, 0.95), trial(2, 0.99, 0.5, 0.5, 0.5));
        // rung 1 (step 4) values: 0.9 and 0.5; the current 0.6 is not the best of three
        assertTrue(up.prune(trials, List.of(0.999, 0.0, 0.0, 0.6)));
        assertFalse(up.prune(trials, List.of(0.999, 0.0, 0.0, 0.95)));
    }

    @Test
    void aNanAtARungIsPrunedAndNotRecorded() {
        assertTrue(up.prune(List.of(), List.of(Double.NaN)));
        assertFalse(up.prune(List.of(), List.of(0.5, Double.NaN)), "step 2 is no rung");
        // trial 0 had NaN at rung 0, so it recorded nothing there: the current 0.1 is alone, the best
        assertFalse(up.prune(List.of(trial(0, Double.NaN)), List.of(0.1)));
    }
}
