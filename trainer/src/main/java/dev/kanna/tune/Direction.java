/*
 * Whether the search looks for the largest or the smallest value of its metric (macro_f1 up,
 * loss and mse down).
 */
package dev.kanna.tune;

public enum Direction {
    MAXIMIZE, MINIMIZE;

    /** Whether a is strictly better than b. */
    public boolean better(double a, double b) {
        return this == MAXIMIZE ? a > b : a < b;
    }

    public String json() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
