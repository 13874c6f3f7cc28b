/*
 * One fixed pool of worker threads for the CPU backend. Work is split into contiguous ranges decided
 * only by the range length and the thread count, so results are deterministic for a thread count.
 */
package dev.kanna.backend.cpu;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

public final class ThreadPool implements AutoCloseable {

    /** A body run over [from, to). */
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    private final int threads;
    private final ExecutorService executor;

    public ThreadPool(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be ≥ 1, got " + threads);
        this.threads = threads;
        AtomicInteger counter = new AtomicInteger();
        ThreadFactory factory = r -> {
            Thread t = new Thread(r, "kanna-cpu-" + counter.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        this.executor = threads == 1 ? null : Executors.newFixedThreadPool(threads - 1, factory);
    }

    public int threads() {
        return threads;
    }

    /** Runs body over [0, n) in up to `threads` contiguous chunks; the caller runs the first one. */
    public void parallelFor(int n, RangeBody body) {
        parallelFor(n, 1, body);
    }

    /** As {@link #parallelFor(int, RangeBody)}, with chunks no smaller than minChunk (except the last). */
    public void parallelFor(int n, int minChunk, RangeBody body) {
        if (n <= 0) return;
        int chunks = Math.min(threads, Math.max(1, n / Math.max(1, minChunk)));
        if (chunks == 1 || executor == null) {
            body.run(0, n);
            return;
        }
        @SuppressWarnings("unchecked")
        Future<?>[] futures = new Future[chunks - 1];
        for (int c = 1; c < chunks; c++) {
            int from = (int) ((long) n * c / chunks), to = (int) ((long) n * (c + 1) / chunks);
            futures[c - 1] = executor.submit(() -> body.run(from, to));
        }
        Throwable failure = null;
        try {
            body.run(0, (int) ((long) n / chunks));
        } catch (Throwable t) {
            failure = t;
        }
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                if (failure == null) failure = e;
            } catch (java.util.concurrent.ExecutionException e) {
                if (failure == null) failure = e.getCause();
            }
        }
        if (failure instanceof RuntimeException re) throw re;
        if (failure instanceof Error err) throw err;
        if (failure != null) throw new IllegalStateException(failure);
    }

    @Override
    public void close() {
        if (executor != null) executor.shutdownNow();
    }
}
