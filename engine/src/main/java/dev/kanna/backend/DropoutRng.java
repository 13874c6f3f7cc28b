/*
 * Counter-based randomness for dropout: the keep decision of element i under a seed is a pure
 * function of (seed, i), a splitmix64 finalizer over seed + i·φ. Backward passes regenerate the
 * forward's mask instead of storing it, any thread or GPU block can draw any element, and the CPU and
 * CUDA backends draw identical masks (the CUDA kernels implement the same function).
 */
package dev.kanna.backend;

public final class DropoutRng {
    private DropoutRng() {
    }

    /** A uniform float in [0, 1) with 24 random bits, for element {@code index} under {@code seed}. */
    public static float uniform(long seed, long index) {
        long z = seed + index * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z = z ^ (z >>> 31);
        return (z >>> 40) * 0x1.0p-24f;
    }

    /** Whether element {@code index} survives dropout with drop probability p. */
    public static boolean keep(long seed, long index, float p) {
        return uniform(seed, index) >= p;
    }

    /** Derives an independent seed for one use (a layer, a step) from a base seed and a counter. */
    public static long derive(long seed, long stream) {
        long z = seed ^ (stream + 0x632BE59BD9B4E019L) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 32)) * 0xD6E8FEB86659FD93L;
        return z ^ (z >>> 32);
    }
}
