/*
 * The error function and its complement in double precision, for the TPE sampler's truncated
 * normals (the JDK has neither). A port of FreeBSD's s_erf.c (Sun's fdlibm), the implementation
 * Python's math.erf/erfc and Optuna's own _erf.py follow: rational approximations on
 * [0, 0.84375), [0.84375, 1.25), [1.25, 1/0.35), [1/0.35, 28), with exp(-x²) split in two
 * factors (the high word of x, then the rest) so erfc keeps its relative accuracy in the tail.
 */
package dev.kanna.tune;

final class Erf {
    private static final double ERX = 8.45062911510467529297e-01;
    private static final double EFX = 1.28379167095512586316e-01;
    private static final double TINY = 1e-300;
    // erf on [0, 0.84375): x + x·P(x²)/Q(x²)
    private static final double[] PP = {1.28379167095512558561e-01, -3.25042107247001499370e-01,
            -2.84817495755985104766e-02, -5.77027029648944159157e-03, -2.37630166566501626084e-05};
    private static final double[] QQ = {1, 3.97917223959155352819e-01, 6.50222499887672944485e-02,
            5.08130628187576562776e-03, 1.32494738004321644526e-04, -3.96022827877536812320e-06};
    // erf on [0.84375, 1.25): erx + P(s)/Q(s), s = |x| − 1
    private static final double[] PA = {-2.36211856075265944077e-03, 4.14856118683748331666e-01,
            -3.72207876035701323847e-01, 3.18346619901161753674e-01, -1.10894694282396677476e-01,
            3.54783043256182359371e-02, -2.16637559486879084300e-03};
    private static final double[] QA = {1, 1.06420880400844228286e-01, 5.40397917702171048937e-01,
            7.18286544141962662868e-02, 1.26171219808761642112e-01, 1.36370839120290507362e-02,
            1.19844998467991074170e-02};
    // erfc on [1.25, 1/0.35): exp(−x² − 0.5625 + R(1/x²)/S(1/x²)) / x
    private static final double[] RA = {-9.86494403484714822705e-03, -6.93858572707181764372e-01,
            -1.05586262253232909814e01, -6.23753324503260060396e01, -1.62396669462573470355e02,
            -1.84605092906711035994e02, -8.12874355063065934246e01, -9.81432934416914548592e00};
    private static final double[] SA = {1, 1.96512716674392571292e01, 1.37657754143519042600e02,
            4.34565877475229228821e02, 6.45387271733267880336e02, 4.29008140027567833386e02,
            1.08635005541779435134e02, 6.57024977031928170135e00, -6.04244152148580987438e-02};
    // erfc on [1/0.35, 28)
    private static final double[] RB = {-9.86494292470009928597e-03, -7.99283237680523006574e-01,
            -1.77579549177547519889e01, -1.60636384855821916062e02, -6.37566443368389627722e02,
            -1.02509513161107724954e03, -4.83519191608651397019e02};
    private static final double[] SB = {1, 3.03380607434824582924e01, 3.25792512996573918826e02,
            1.53672958608443695994e03, 3.19985821950859553908e03, 2.55305040643316442583e03,
            4.74528541206955367215e02, -2.24409524465858183362e01};

    private Erf() {
    }

    static double erf(double x) {
        if (Double.isNaN(x)) return x;
        double ax = Math.abs(x);
        if (ax < 0.84375) {
            if (ax < 0x1p-28) return x + EFX * x;
            double z = x * x;
            return x + x * (poly(PP, z) / poly(QQ, z));
        }
        if (ax < 1.25) {
            double s = ax - 1, pq = poly(PA, s) / poly(QA, s);
            return x >= 0 ? ERX + pq : -ERX - pq;
        }
        if (ax >= 6) return x >= 0 ? 1 - TINY : TINY - 1;
        double r = tail(ax);
        return x >= 0 ? 1 - r : r - 1;
    }

    static double erfc(double x) {
        if (Double.isNaN(x)) return x;
        double ax = Math.abs(x);
        if (ax < 0.84375) {
            if (ax < 0x1p-56) return 1 - x;
            double z = x * x, y = poly(PP, z) / poly(QQ, z);
            if (x < 0.25) return 1 - (x + x * y);
            return 0.5 - (x * y + (x - 0.5));
        }
        if (ax < 1.25) {
            double s = ax - 1, pq = poly(PA, s) / poly(QA, s);
            return x >= 0 ? (1 - ERX) - pq : 1 + (ERX + pq);
        }
        if (ax < 28) {
            if (x < -6) return 2 - TINY;
            double r = tail(ax);
            return x > 0 ? r : 2 - r;
        }
        return x > 0 ? 0 : 2 - TINY;
    }

    /** erfc(ax) for 1.25 ≤ ax < 28: exp(−z² − 0.5625)·exp((z − ax)(z + ax) + R/S) / ax, z = ax's high word. */
    private static double tail(double ax) {
        double s = 1 / (ax * ax);
        double rs = ax < 1 / 0.35 ? poly(RA, s) / poly(SA, s) : poly(RB, s) / poly(SB, s);
        double z = Double.longBitsToDouble(Double.doubleToRawLongBits(ax) & 0xFFFF_FFFF_0000_0000L);
        return Math.exp(-z * z - 0.5625) * Math.exp((z - ax) * (z + ax) + rs) / ax;
    }

    /** c[0] + c[1]·x + c[2]·x² + ... (Horner). */
    private static double poly(double[] c, double x) {
        double r = c[c.length - 1];
        for (int i = c.length - 2; i >= 0; i--) r = r * x + c[i];
        return r;
    }
}
