/*
 * The CPU backend's thread pool: every index runs exactly once, pieces are fixed by (n, pieces), a
 * failure in any piece reaches the caller, and nested or concurrent calls run inline instead of
 * deadlocking.
 */
package dev.kanna.backend.cpu;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

class ThreadPoolTest {
    private final ThreadPool pool = new ThreadPool(3);

    @AfterEach
    void close() {
        pool.close();
    }

    @Test
    void everyIndexRunsExactlyOnce() {
        for (int n : new int[]{1, 2, 3, 7, 100, 1001}) {
            for (int minChunk : new int[]{1, 4, 64}) {
                AtomicIntegerArray hits = new AtomicIntegerArray(n);
                pool.parallelFor(n, minChunk, (from, to) -> {
                    for (int i = from; i < to; i++) hits.incrementAndGet(i);
                });
                for (int i = 0; i < n; i++) assertEquals(1, hits.get(i), "n=" + n + " index " + i);
            }
        }
    }

    @Test
    void piecesAreFixedByTheirCount() {
        List<String> pieces = Collections.synchronizedList(new ArrayList<>());
        pool.parallelPieces(10, 4, (from, to) -> pieces.add(from + "-" + to));
        Collections.sort(pieces);
        assertEquals(List.of("0-2", "2-5", "5-7", "7-10"), pieces);
    }

    @Test
    void aFailureReachesTheCaller() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
                pool.parallelFor(100, (from, to) -> {
                    if (from <= 50 && 50 < to) throw new IllegalArgumentException("bad index 50");
                }));
        assertEquals("bad index 50", e.getMessage());
        AtomicIntegerArray hits = new AtomicIntegerArray(10);
        pool.parallelFor(10, (from, to) -> {
            for (int i = from; i < to; i++) hits.incrementAndGet(i);
        });
        for (int i = 0; i < 10; i++) assertEquals(1, hits.get(i), "the pool still works after a failure");
    }

    @Test
    void nestedCallsRunInline() {
        assertTimeoutPreemptively(java.time.Duration.ofSeconds(20), () -> {
            AtomicIntegerArray hits = new AtomicIntegerArray(64);
            pool.parallelFor(8, (from, to) -> {
                for (int i = from; i < to; i++) {
                    int row = i;
                    pool.parallelFor(8, (f2, t2) -> {
                        for (int j = f2; j < t2; j++) hits.incrementAndGet(row * 8 + j);
                    });
                }
            });
            for (int i = 0; i < 64; i++) assertEquals(1, hits.get(i));
        });
    }

    @Test
    void concurrentCallersBothComplete() throws InterruptedException {
        AtomicIntegerArray hits = new AtomicIntegerArray(2000);
        Thread[] callers = new Thread[4];
        for (int c = 0; c < callers.length; c++) {
            int base = c * 500;
            callers[c] = new Thread(() -> {
                for (int rep = 0; rep < 50; rep++) {
                    pool.parallelFor(10, (from, to) -> {
                        for (int i = from; i < to; i++) {
                            for (int k = 0; k < 50; k++) hits.incrementAndGet(base + i * 50 + k);
                        }
                    });
                }
            });
            callers[c].start();
        }
        for (Thread t : callers) t.join(20_000);
        for (int i = 0; i < 2000; i++) assertEquals(50, hits.get(i), "index " + i);
    }
}
