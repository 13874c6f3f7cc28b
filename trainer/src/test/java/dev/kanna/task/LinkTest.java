/*
 * How an ensemble combines outputs (Link): a mean ensemble's probabilities are the weighted mean of
 * its members' probabilities, computed here directly from each member's softmax or sigmoid; one
 * member is itself; confident members keep finite outputs and their order; a vote's probabilities
 * are the weighted shares of the members' decisions, a tie going to the first label.
 */
package dev.kanna.task;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

class LinkTest {
    // Tolerances: outputs are floats (≈ 6e-8 relative); probabilities are compared in absolute terms.
    private static final double TOLERANCE = 1e-6;

    private static double[] softmax(float[] x, int from, int k) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = from; j < from + k; j++) max = Math.max(max, x[j]);
        double sum = 0;
        double[] p = new double[k];
        for (int j = 0; j < k; j++) sum += p[j] = Math.exp(x[from + j] - max);
        for (int j = 0; j < k; j++) p[j] /= sum;
        return p;
    }

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    private static float[] random(SplittableRandom random, int size, double scale) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) x[i] = (float) (random.nextGaussian() * scale);
        return x;
    }

    @Test
    void aSoftmaxMeanIsTheWeightedMeanOfTheMembersProbabilities() {
        SplittableRandom random = new SplittableRandom(3);
        int rows = 4, k = 3;
        float[][] members = {random(random, rows * k, 3), random(random, rows * k, 3), random(random, rows * k, 3)};
        double[] weights = {0.5, 0.3, 0.2};
        float[] out = Link.SOFTMAX.mean(members, weights, k);
        for (int row = 0; row < rows; row++) {
            double[] got = softmax(out, row * k, k);
            double direct = 0;
            for (int c = 0; c < k; c++) {
                double expected = 0;
                for (int m = 0; m < 3; m++) expected += weights[m] * softmax(members[m], row * k, k)[c];
                assertEquals(expected, got[c], TOLERANCE, "row " + row + " class " + c);
                direct += Math.exp(out[row * k + c]);
            }
            assertEquals(1, direct, TOLERANCE, "the outputs are log probabilities: they sum to 1 as they are");
        }
    }

    @Test
    void aSigmoidMeanIsTheWeightedMeanOfTheMembersProbabilities() {
        SplittableRandom random = new SplittableRandom(5);
        float[][] members = {random(random, 12, 4), random(random, 12, 4)};
        double[] weights = {0.7, 0.3};
        float[] out = Link.SIGMOID.mean(members, weights, 3);
        for (int e = 0; e < 12; e++) {
            double expected = weights[0] * sigmoid(members[0][e]) + weights[1] * sigmoid(members[1][e]);
            assertEquals(expected, sigmoid(out[e]), TOLERANCE, "output " + e);
        }
    }

    @Test
    void confidentMembersKeepFiniteOutputsAndTheirOrder() {
        // σ(40) and σ(50) round to 1 in double; the mean's logit is still log(Σ w σ(x)) − log(Σ w σ(−x)).
        float[] out = Link.SIGMOID.mean(new float[][]{{40f, -40f}, {50f, -50f}}, new double[]{0.5, 0.5}, 2);
        double expected = -Math.log(0.5 * (Math.exp(-40) + Math.exp(-50)));
        assertEquals(expected, out[0], 1e-4);
        assertEquals(-expected, out[1], 1e-4);
        float[] softmax = Link.SOFTMAX.mean(new float[][]{{0f, 800f}, {0f, 900f}}, new double[]{0.5, 0.5}, 2);
        assertTrue(Float.isFinite(softmax[0]) && softmax[0] < -700, "p(class 0) ≈ e^-800: " + softmax[0]);
        assertEquals(0, softmax[1], 1e-6);
    }

    @Test
    void oneMemberIsItself() {
        SplittableRandom random = new SplittableRandom(7);
        float[] x = random(random, 10, 3);
        double[] one = {1.0};
        float[] softmax = Link.SOFTMAX.mean(new float[][]{x}, one, 5);
        for (int row = 0; row < 2; row++) {
            assertArrayEquals(softmax(x, row * 5, 5), softmax(softmax, row * 5, 5), TOLERANCE);
        }
        float[] sigmoid = Link.SIGMOID.mean(new float[][]{x}, one, 5);
        for (int e = 0; e < x.length; e++) assertEquals(x[e], sigmoid[e], 1e-5);
        assertArrayEquals(x, Link.IDENTITY.mean(new float[][]{x}, one, 1));
    }

    @Test
    void aVoteGivesEachClassItsShareOfTheWeight() {
        // rows of K = 3; members decide 0, 2, 2 in row 0 and 1, 1, 0 in row 1
        float[][] outputs = {{5, 1, 0, 0, 3, 1}, {0, 1, 4, 0, 2, 1}, {0, 0, 1, 0, 9, 1}};
        double[] weights = {0.5, 0.3, 0.2};
        float[][] decisions = new float[3][];
        for (int m = 0; m < 3; m++) decisions[m] = Link.SOFTMAX.decisions(outputs[m], 3);
        assertArrayEquals(new float[]{1, 0, 0, 0, 1, 0}, decisions[0]);
        float[] out = Link.SOFTMAX.vote(decisions, weights, 3);
        double[] row0 = softmax(out, 0, 3), row1 = softmax(out, 3, 3);
        assertArrayEquals(new double[]{0.5, 0, 0.5}, row0, TOLERANCE);
        assertArrayEquals(new double[]{0, 1, 0}, row1, TOLERANCE);
        assertEquals(0, SequenceClassification.argmax(new float[]{out[0], out[1], out[2]}),
                "a tie goes to the class first in label order");
    }

    @Test
    void aSigmoidVotePredictsALabelWhenHalfTheWeightDoes() {
        float[][] decisions = {{1, 0, 1}, {0, 0, 1}};
        float[] out = Link.SIGMOID.vote(decisions, new double[]{0.5, 0.5}, 3);
        assertEquals(0.5, sigmoid(out[0]), TOLERANCE);
        assertEquals(0, sigmoid(out[1]), TOLERANCE);
        assertEquals(1, sigmoid(out[2]), TOLERANCE);
        assertTrue(new MultiLabelClassification().predictions(null, new float[][]{out}, List.of("a", "b", "c")).getFirst()
                .get("labels").equals(List.of("a", "c")));
    }

    @Test
    void aRegressionHasNoVote() {
        assertFalse(Link.IDENTITY.votes());
        var e = assertThrows(IllegalArgumentException.class, () -> Link.IDENTITY.decisions(new float[]{1f}, 1));
        assertTrue(e.getMessage().contains("--method mean"), e.getMessage());
    }
}
