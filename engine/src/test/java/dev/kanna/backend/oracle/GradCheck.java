/*
 * Central finite differences in double precision: the numeric gradient of L(x) = Σᵢ upstreamᵢ·f(x)ᵢ,
 * for checking a hand-written backward against its forward. With h = 1e-6 on inputs of order 1 the
 * truncation error is O(h²·f''') ≈ 1e-12 and the rounding error about ε·|L|/h ≈ 1e-9, so a gradient
 * that agrees to 1e-6 relative is right and one with a wrong term is off by far more.
 */
package dev.kanna.backend.oracle;

import java.util.function.Function;

public final class GradCheck {
    /** Step for central differences (see the header for the error budget). */
    public static final double H = 1e-6;

    private GradCheck() {
    }

    /** ∂/∂xⱼ Σᵢ upstreamᵢ·f(x)ᵢ for every j, by (L(x + h·eⱼ) − L(x − h·eⱼ)) / 2h; x is restored. */
    public static double[] numericGradient(Function<double[], double[]> f, double[] x, double[] upstream) {
        double[] grad = new double[x.length];
        for (int j = 0; j < x.length; j++) {
            double saved = x[j];
            x[j] = saved + H;
            double plus = dot(upstream, f.apply(x));
            x[j] = saved - H;
            double minus = dot(upstream, f.apply(x));
            x[j] = saved;
            grad[j] = (plus - minus) / (2 * H);
        }
        return grad;
    }

    private static double dot(double[] a, double[] b) {
        if (a.length != b.length) throw new IllegalArgumentException("lengths " + a.length + " ≠ " + b.length);
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }
}
