/*
 * One fixed pool of worker threads for the CPU backend. parallelFor cuts [0, n) into pieces whose
 * bounds depend only on n, the minimum piece size and the thread count; threads (the caller included)
 * take pieces from a shared counter, so a thread slowed down by another process on a shared machine
 * does not hold the others back. Which thread runs a piece varies from run to run, so bodies must write
 * results that depend only on the piece (thread-local scratch is fine): then results are bitwise
 * deterministic for a given thread count.
 *
 * Workers persist and park between calls (a short spin first, since ops come in quick succession), so
 * a call costs a few microseconds and allocates nothing but the caller's lambda. A parallelFor issued
 * from inside a body, or while another thread holds the pool, runs inline on the calling thread
 * instead of deadlocking or interleaving.
 */
package dev.kanna.backend.cpu;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

public final class ThreadPool implements AutoCloseable {

    /** A body run over [from, to). */
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    /** Pieces per thread: enough for load balancing, few enough that per-piece overhead stays small. */
    private static final int PIECES_PER_THREAD = 4;
    private static final int SPINS = 4_000;

    private final int threads;
    private final Worker[] workers;
    private final ReentrantLock lock = new ReentrantLock();

    // The job being run; written by the caller before the generation bump that publishes it.
    private RangeBody body;
    private int n, pieces;
    private final AtomicInteger nextPiece = new AtomicInteger();
    private final AtomicInteger running = new AtomicInteger();
    private volatile Throwable failure;
    private volatile Thread caller;
    private volatile long generation;
    private volatile boolean closed;

    public ThreadPool(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be ≥ 1, got " + threads);
        this.threads = threads;
        this.workers = new Worker[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker("kanna-cpu-" + (i + 1));
            workers[i].start();
        }
    }

    public int threads() {
        return threads;
    }

    /** Runs body over [0, n) in pieces spread over the threads; the caller takes part. */
    public void parallelFor(int n, RangeBody body) {
        parallelFor(n, 1, body);
    }

    /** As {@link #parallelFor(int, RangeBody)}, with pieces no smaller than minChunk (except a lone one). */
    public void parallelFor(int n, int minChunk, RangeBody body) {
        if (n <= 0) return;
        int pieces = Math.min(threads * PIECES_PER_THREAD, Math.max(1, n / Math.max(1, minChunk)));
        parallelPieces(n, pieces, body);
    }

    /**
     * Runs body over [0, n) cut into exactly {@code pieces} contiguous pieces (piece p is
     * [n·p/pieces, n·(p+1)/pieces)), for callers that choose the cut themselves.
     */
    public void parallelPieces(int n, int pieces, RangeBody body) {
        if (n <= 0) return;
        pieces = Math.max(1, Math.min(pieces, n));
        if (pieces == 1 || workers.length == 0 || Thread.currentThread() instanceof Worker
                || lock.isHeldByCurrentThread() || !lock.tryLock()) {
            for (int p = 0; p < pieces; p++) body.run(bound(n, pieces, p), bound(n, pieces, p + 1));
            return;
        }
        try {
            this.body = body;
            this.n = n;
            this.pieces = pieces;
            this.failure = null;
            this.caller = Thread.currentThread();
            nextPiece.set(0);
            running.set(workers.length);
            generation++;                                      // publishes the job (volatile write)
            for (Worker w : workers) LockSupport.unpark(w);
            runPieces();
            for (int spin = 0; running.get() != 0; spin++) {
                if (spin < SPINS) Thread.onSpinWait();
                else LockSupport.park(this);
            }
            this.body = null;
            Throwable t = failure;
            if (t instanceof RuntimeException re) throw re;
            if (t instanceof Error err) throw err;
            if (t != null) throw new IllegalStateException(t);
        } finally {
            lock.unlock();
        }
    }

    private static int bound(int n, int pieces, int p) {
        return (int) ((long) n * p / pieces);
    }

    private void runPieces() {
        RangeBody b = body;
        int total = n, count = pieces;
        for (int p; (p = nextPiece.getAndIncrement()) < count; ) {
            try {
                b.run(bound(total, count, p), bound(total, count, p + 1));
            } catch (Throwable t) {
                if (failure == null) failure = t;
                nextPiece.set(count);                           // stop handing out pieces
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Worker w : workers) LockSupport.unpark(w);
    }

    private final class Worker extends Thread {
        private long seen;

        Worker(String name) {
            super(name);
            setDaemon(true);
        }

        @Override
        public void run() {
            while (true) {
                for (int spin = 0; generation == seen && !closed; spin++) {
                    if (spin < SPINS) Thread.onSpinWait();
                    else LockSupport.park(ThreadPool.this);
                }
                if (closed) return;
                seen = generation;
                runPieces();
                if (running.decrementAndGet() == 0) LockSupport.unpark(caller);
            }
        }
    }
}
