/*
 * A RandomGenerator that returns the draws a test scripts, in order, so the expected output of an
 * augmentation can be worked out by hand from the algorithm's definition. A draw out of its bound,
 * of the wrong kind, or beyond the script fails the test.
 */
package dev.kanna.augment;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.random.RandomGenerator;

final class Draws implements RandomGenerator {
    private final Deque<Object> script = new ArrayDeque<>();

    /** Integers for nextInt(bound) and doubles for nextDouble(), in the order they will be asked for. */
    static Draws of(Object... draws) {
        Draws d = new Draws();
        for (Object o : draws) d.script.add(o);
        return d;
    }

    @Override
    public int nextInt(int bound) {
        Object next = script.poll();
        if (!(next instanceof Integer i)) throw new AssertionError("asked nextInt(" + bound + "), the script has " + next);
        if (i < 0 || i >= bound) throw new AssertionError("scripted " + i + " for nextInt(" + bound + ")");
        return i;
    }

    @Override
    public double nextDouble() {
        Object next = script.poll();
        if (!(next instanceof Double d)) throw new AssertionError("asked nextDouble(), the script has " + next);
        return d;
    }

    @Override
    public long nextLong() {
        throw new AssertionError("nextLong() is not scripted");
    }

    /** Draws left unused. */
    int left() {
        return script.size();
    }
}
