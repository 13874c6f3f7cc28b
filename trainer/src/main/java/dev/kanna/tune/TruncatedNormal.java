/*
 * The standard normal truncated to [a, b], in the numerically careful form Optuna's TPE uses
 * (optuna/samplers/_tpe/_truncnorm.py): probability masses in log space, the inverse CDF by Newton
 * steps on log Φ, and the left/right case split that keeps far tails from cancelling to 0. A
 * kernel of the Parzen estimator is loc + scale·Z with Z drawn here.
 */
package dev.kanna.tune;

final class TruncatedNormal {
    private static final double LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
    private static final double LOGISTIC_C = Math.sqrt(3) / Math.PI;

    private TruncatedNormal() {
    }

    /** Φ(a), the standard normal CDF. */
    static double ndtr(double a) {
        double x = a / Math.sqrt(2);
        if (x < -1 / Math.sqrt(2)) return 0.5 * Erf.erfc(-x);
        if (x < 1 / Math.sqrt(2)) return 0.5 + 0.5 * Erf.erf(x);
        return 1.0 - 0.5 * Erf.erfc(x);
    }

    /** log Φ(a), accurate far into the left tail (an asymptotic series below −20). */
    static double logNdtr(double a) {
        if (a > 6) return -ndtr(-a);   // log(1 − ε) ≈ −ε
        if (a > -20) return Math.log(ndtr(a));
        double logLhs = -0.5 * a * a - Math.log(-a) - LOG_SQRT_2PI;
        double last = 0, rhs = 1, numerator = 1, denomFactor = 1, denomCons = 1 / (a * a);
        int sign = 1;
        for (int i = 1; Math.abs(last - rhs) > Math.ulp(1.0); i++) {
            last = rhs;
            sign = -sign;
            denomFactor *= denomCons;
            numerator *= 2 * i - 1;
            rhs += sign * numerator * denomFactor;
        }
        return logLhs + Math.log(rhs);
    }

    /** log(Φ(b) − Φ(a)) for a ≤ b: the log probability mass of [a, b]. */
    static double logGaussMass(double a, double b) {
        if (b <= 0) return logDiff(logNdtr(b), logNdtr(a));
        if (a > 0) return logDiff(logNdtr(-a), logNdtr(-b));
        return Math.log1p(-ndtr(a) - ndtr(-b));
    }

    /** log density at x of the standard normal truncated to [a, b]; −∞ outside, NaN when a = b. */
    static double logPdf(double x, double a, double b) {
        if (a == b) return Double.NaN;
        if (x < a || x > b) return Double.NEGATIVE_INFINITY;
        return -x * x / 2 - LOG_SQRT_2PI - logGaussMass(a, b);
    }

    /** The q-quantile (0 ≤ q ≤ 1) of the standard normal truncated to [a, b]. */
    static double ppf(double q, double a, double b) {
        if (a == b) return Double.NaN;
        if (q == 0) return a;
        if (q == 1) return b;
        double logMass = logGaussMass(a, b);
        if (a < 0) return ndtriExp(logSum(logNdtr(a), Math.log(q) + logMass));
        return -ndtriExp(logSum(logNdtr(-b), Math.log1p(-q) + logMass));
    }

    /** x with log Φ(x) = y (y ≤ 0): Newton's method from a tail or logistic first guess. */
    static double ndtriExp(double y) {
        boolean flipped = y > -1e-2;
        double z = flipped ? Math.log(-Math.expm1(y)) : y;
        double x = z < -5 ? -Math.sqrt(-2.0 * (z + LOG_SQRT_2PI)) : -LOGISTIC_C * Math.log(Math.expm1(-z));
        for (int i = 0; i < 100; i++) {
            double logNdtrX = logNdtr(x);
            double logPdfX = -0.5 * x * x - LOG_SQRT_2PI;
            double dx = (logNdtrX - z) * Math.exp(logNdtrX - logPdfX);
            x -= dx;
            if (Math.abs(dx) < 1e-8 * Math.abs(x)) break;
        }
        return flipped ? -x : x;
    }

    private static double logSum(double logP, double logQ) {
        double max = Math.max(logP, logQ);
        if (max == Double.NEGATIVE_INFINITY) return max;
        return max + Math.log1p(Math.exp(-Math.abs(logP - logQ)));
    }

    private static double logDiff(double logP, double logQ) {
        return logP + Math.log1p(-Math.exp(logQ - logP));
    }
}
