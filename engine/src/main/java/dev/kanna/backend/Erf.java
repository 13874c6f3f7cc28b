/*
 * The error function in double precision (Java's Math has none). Power series below |x| = 2.5, where
 * it converges fast and loses at most ~3 digits to cancellation; a continued fraction for erfc above.
 * Accurate to ~1e-13, far beyond the float results it feeds. Kernels that need speed use their own
 * vectorised approximation and are tested against this.
 */
package dev.kanna.backend;

public final class Erf {
    private static final double TWO_OVER_SQRT_PI = 1.1283791670955126;

    private Erf() {
    }

    public static double erf(double x) {
        if (Double.isNaN(x)) return x;
        double ax = Math.abs(x);
        if (ax < 1e-8) return TWO_OVER_SQRT_PI * x;      // the x³ term is below double precision (keeps −0)
        if (ax < 2.5) {
            double x2 = x * x, term = x, sum = x;
            for (int n = 1; n < 100; n++) {
                term *= -x2 / n;
                double add = term / (2 * n + 1);
                sum += add;
                if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
            }
            return TWO_OVER_SQRT_PI * sum;
        }
        if (ax > 6.5) return Math.copySign(1.0, x);
        return Math.copySign(1.0 - erfcLarge(ax), x);
    }

    /** erfc(x) for x ≥ 2.5 by Lentz's continued fraction: erfc(x) = e^{−x²}/√π · 1/(x + 1/2/(x + 1/(x + 3/2/(x + ...)))). */
    private static double erfcLarge(double x) {
        double tiny = 1e-300;
        double f = x, c = x, d = 0;
        for (int k = 1; k < 200; k++) {
            double a = k * 0.5;
            d = x + a * d;
            if (Math.abs(d) < tiny) d = tiny;
            c = x + a / c;
            if (Math.abs(c) < tiny) c = tiny;
            d = 1 / d;
            double delta = c * d;
            f *= delta;
            if (Math.abs(delta - 1) < 1e-16) break;
        }
        return Math.exp(-x * x) / (Math.sqrt(Math.PI) * f);
    }
}
