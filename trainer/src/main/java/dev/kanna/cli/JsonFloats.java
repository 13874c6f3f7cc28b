/*
 * Float arrays as JSON text: the shortest decimal that reads back to the same float
 * (Float.toString), null for a non-finite value (JSON has no NaN or Infinity).
 */
package dev.kanna.cli;

public final class JsonFloats {
    private JsonFloats() {
    }

    public static void append(StringBuilder out, float[] values) {
        out.append('[');
        for (int k = 0; k < values.length; k++) {
            if (k > 0) out.append(',');
            float v = values[k];
            out.append(Float.isFinite(v) ? Float.toString(v) : "null");
        }
        out.append(']');
    }

    public static void append(StringBuilder out, float[][] rows) {
        out.append('[');
        for (int r = 0; r < rows.length; r++) {
            if (r > 0) out.append(',');
            append(out, rows[r]);
        }
        out.append(']');
    }
}
