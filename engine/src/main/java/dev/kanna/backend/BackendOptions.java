/*
 * Settings a backend is opened with.
 *
 * @param threads    CPU worker threads (0: one per available processor)
 * @param mixedPrecision GPU: bf16 matmuls and activations with fp32 accumulation and fp32 master
 *                   weights; false runs everything in fp32 (parity tests). Ignored on the CPU.
 */
package dev.kanna.backend;

public record BackendOptions(int threads, boolean mixedPrecision) {

    public static BackendOptions defaults() {
        return new BackendOptions(0, true);
    }

    public int resolvedThreads() {
        return threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    }
}
