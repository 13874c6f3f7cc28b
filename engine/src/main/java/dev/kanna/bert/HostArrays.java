/*
 * Reshaping downloaded flat arrays into the nested arrays the convenience API returns.
 */
package dev.kanna.bert;

import java.util.Arrays;

final class HostArrays {
    private HostArrays() {
    }

    /** flat (A, B) → [a][b]. */
    static float[][] split2(float[] flat, int a, int b) {
        float[][] out = new float[a][];
        for (int i = 0; i < a; i++) out[i] = Arrays.copyOfRange(flat, i * b, (i + 1) * b);
        return out;
    }

    /** flat (A, B, C) → [a][b][c]. */
    static float[][][] split3(float[] flat, int a, int b, int c) {
        float[][][] out = new float[a][b][];
        for (int i = 0; i < a; i++) {
            for (int j = 0; j < b; j++) out[i][j] = Arrays.copyOfRange(flat, (i * b + j) * c, (i * b + j + 1) * c);
        }
        return out;
    }

    /** The mean of the rows of states (T, C) whose mask[maskOffset + t] is non-zero; summed in double. */
    static float[] maskedMean(float[][] states, int[] mask, int maskOffset) {
        int c = states[0].length;
        double[] sum = new double[c];
        int count = 0;
        for (int t = 0; t < states.length; t++) {
            if (mask[maskOffset + t] == 0) continue;
            count++;
            for (int k = 0; k < c; k++) sum[k] += states[t][k];
        }
        float[] mean = new float[c];
        // sentence-transformers clamps the token count to ≥ 1e-9; an all-padding row gives zeros either way
        for (int k = 0; k < c; k++) mean[k] = count == 0 ? 0f : (float) (sum[k] / count);
        return mean;
    }
}
