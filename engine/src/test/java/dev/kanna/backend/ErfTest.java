/*
 * The test oracle's error function (the reference the GELU kernels are checked against) against
 * Python's math.erf, the C library's erf, at 275 points from 1e-300 to 27 in both signs. The values live in
 * reference/erf.csv, written by tools/reference/erf_reference.py.
 */
package dev.kanna.backend;

import dev.kanna.backend.oracle.Oracles;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.DoubleUnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ErfTest {
    /** 2e-13 relative: the oracle's all-positive series is good to a few ulps; math.erf to ~1 ulp. */
    private static final double REL = 2e-13;

    private record Point(double x, double erf) {
    }

    private static List<Point> reference() throws IOException {
        List<Point> points = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(Objects.requireNonNull(
                ErfTest.class.getResourceAsStream("/reference/erf.csv")), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                if (line.startsWith("#") || line.isBlank()) continue;
                String[] f = line.split(",");
                points.add(new Point(Double.parseDouble(f[0]), Double.parseDouble(f[1])));
            }
        }
        assertTrue(points.size() > 200, "reference file has " + points.size() + " points");
        return points;
    }

    private static void check(String name, DoubleUnaryOperator erf) throws IOException {
        for (Point p : reference()) {
            double got = erf.applyAsDouble(p.x());
            assertEquals(p.erf(), got, REL * Math.abs(p.erf()), name + "(" + p.x() + ")");
        }
    }

    @Test
    void oracleErfMatchesTheCLibrary() throws IOException {
        check("Oracles.erf", Oracles::erf);
    }

    @Test
    void oracleSaturatesAtTheTails() {
        assertEquals(1.0, Oracles.erf(Double.POSITIVE_INFINITY));
        assertEquals(-1.0, Oracles.erf(Double.NEGATIVE_INFINITY));
    }
}
