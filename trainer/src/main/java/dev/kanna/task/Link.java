/*
 * How a task's raw outputs stand for probabilities, as the link function of a generalised linear
 * model: a softmax over each row of K (single-label and token classification), one sigmoid per
 * output (multi-label), or the value itself (regression). An ensemble combines its members through
 * it: the weighted mean of their probabilities, or the weighted share of their votes, handed back
 * as outputs of the same kind (log p for a softmax, logit p for a sigmoid), so the task's own
 * metrics, predictions and loss read an ensemble's outputs as they read one model's.
 *
 * Outputs here are rows of K floats laid end to end, (rows · K): one row for a sequence head, one
 * per token (padding included or not) for a token head; each row combines on its own.
 */
package dev.kanna.task;

public enum Link {
    SOFTMAX, SIGMOID, IDENTITY;

    /**
     * The weighted mean of the members' probabilities, as outputs: log of the mean for a softmax,
     * its logit for a sigmoid (both computed in log space, so confident members do not round to
     * 0 or 1 and lose their order), the mean value for the identity.
     *
     * @param members (M) member outputs, each (rows · K)
     * @param weights (M) summing to 1
     */
    public float[] mean(float[][] members, double[] weights, int k) {
        int size = members[0].length;
        float[] out = new float[size];
        double[] logWeights = new double[weights.length];
        for (int m = 0; m < weights.length; m++) logWeights[m] = Math.log(weights[m]);
        double[] terms = new double[members.length];
        switch (this) {
            case SOFTMAX -> {
                double[] lse = new double[members.length];
                for (int row = 0; row < size; row += k) {
                    for (int m = 0; m < members.length; m++) lse[m] = logSumExp(members[m], row, k);
                    for (int c = row; c < row + k; c++) {
                        for (int m = 0; m < members.length; m++) terms[m] = logWeights[m] + members[m][c] - lse[m];
                        out[c] = (float) logSumExp(terms);            // log Σ w p
                    }
                }
            }
            case SIGMOID -> {
                double[] other = new double[members.length];
                for (int e = 0; e < size; e++) {
                    for (int m = 0; m < members.length; m++) {
                        terms[m] = logWeights[m] - softplus(-members[m][e]);   // log w σ(x)
                        other[m] = logWeights[m] - softplus(members[m][e]);    // log w σ(−x) = log w (1 − σ(x))
                    }
                    out[e] = (float) (logSumExp(terms) - logSumExp(other));    // logit of Σ w σ(x)
                }
            }
            case IDENTITY -> {
                for (int e = 0; e < size; e++) {
                    double sum = 0;
                    for (int m = 0; m < members.length; m++) sum += weights[m] * members[m][e];
                    out[e] = (float) sum;
                }
            }
        }
        return out;
    }

    /** Whether outputs of this link are decisions a vote can count (a regression's values are not). */
    public boolean votes() {
        return this != IDENTITY;
    }

    /**
     * What a model decides from its outputs, 1 or 0 per output: the row's most probable class (the
     * first on a tie, as argmax), or each sigmoid output at probability ≥ 0.5. Regression decides
     * nothing a vote could count.
     */
    public float[] decisions(float[] outputs, int k) {
        float[] d = new float[outputs.length];
        switch (this) {
            case SOFTMAX -> {
                for (int row = 0; row < outputs.length; row += k) {
                    int best = row;
                    for (int c = row + 1; c < row + k; c++) if (outputs[c] > outputs[best]) best = c;
                    d[best] = 1;
                }
            }
            case SIGMOID -> {
                for (int e = 0; e < outputs.length; e++) d[e] = outputs[e] >= 0 ? 1 : 0;
            }
            case IDENTITY -> throw new IllegalArgumentException("--method vote counts class decisions; a regression "
                    + "predicts values (use --method mean)");
        }
        return d;
    }

    /**
     * A weighted majority vote: outputs whose probabilities are the share of the weight behind each
     * decision. A softmax row's share of each class (its argmax, the class with most votes; a tie goes
     * to the class first in label order, as scikit-learn's hard voting does); a sigmoid output's share
     * voting for the label (predicted at ≥ 0.5: members holding half the weight or more).
     *
     * @param decisions (M) member decisions, each (rows · K) of 0/1
     * @param weights   (M) summing to 1
     */
    public float[] vote(float[][] decisions, double[] weights, int k) {
        int size = decisions[0].length;
        float[] out = new float[size];
        for (int e = 0; e < size; e++) {
            double yes = 0, no = 0;
            for (int m = 0; m < decisions.length; m++) {
                if (decisions[m][e] != 0) yes += weights[m];
                else no += weights[m];
            }
            out[e] = switch (this) {
                case SOFTMAX -> (float) Math.log(yes);
                case SIGMOID -> (float) (Math.log(yes) - Math.log(no));
                case IDENTITY -> throw new IllegalArgumentException("--method vote: a regression has no votes");
            };
        }
        return out;
    }

    private static double logSumExp(float[] x, int from, int k) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = from; j < from + k; j++) max = Math.max(max, x[j]);
        double sum = 0;
        for (int j = from; j < from + k; j++) sum += Math.exp(x[j] - max);
        return max + Math.log(sum);
    }

    private static double logSumExp(double[] x) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : x) max = Math.max(max, v);
        if (max == Double.NEGATIVE_INFINITY) return max;
        double sum = 0;
        for (double v : x) sum += Math.exp(v - max);
        return max + Math.log(sum);
    }

    /** log(1 + e^x), without overflow. */
    private static double softplus(double x) {
        return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
    }
}
