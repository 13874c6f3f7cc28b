/*
 * numpy's pairwise summation of float64 (what np.sum, np.mean and np.average do), so averages computed
 * here round exactly as the Python reference's do: left to right below 8 terms, eight running sums up
 * to 128 terms, split in halves beyond.
 */
package dev.kanna.metrics;

import java.util.Arrays;

final class NumpySum {

    private NumpySum() {}

    static double of(double[] a) {
        return of(a, 0, a.length);
    }

    private static double of(double[] a, int from, int n) {
        if (n < 8) {
            double sum = 0;
            for (int i = 0; i < n; i++) sum += a[from + i];
            return sum;
        }
        if (n <= 128) {
            double[] r = Arrays.copyOfRange(a, from, from + 8);
            int i = 8;
            for (; i < n - n % 8; i += 8) {
                for (int j = 0; j < 8; j++) r[j] += a[from + i + j];
            }
            double sum = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
            for (; i < n; i++) sum += a[from + i];
            return sum;
        }
        // numpy keeps the first half a multiple of its unroll factor of 8.
        int half = n / 2;
        half -= half % 8;
        return of(a, from, half) + of(a, from + half, n - half);
    }
}
