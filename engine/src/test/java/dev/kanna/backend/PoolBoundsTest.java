package dev.kanna.backend;

import dev.kanna.autograd.CountingBackend;
import dev.kanna.backend.cpu.CpuBackend;
import dev.kanna.tensor.DType;
import dev.kanna.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class PoolBoundsTest {

    @Test
    void capacityClassesHaveAtMostAQuarterOfSlack() {
        assertEquals(64, PooledBackend.capacity(1));
        assertEquals(64, PooledBackend.capacity(64));
        for (long size = 65; size < 1_000_000; size = size * 3 / 2 + 1) {
            long c = PooledBackend.capacity(size);
            assertTrue(c >= size && c <= size * 1.25 + 1, size + " → " + c);
            assertEquals(c, PooledBackend.capacity(c), "a class is its own capacity");
        }
    }

    @Test
    void nearbySizesShareStorageAndZerosCoverTheTensor() {
        try (CpuBackend cpu = new CpuBackend(1)) {
            Tensor a = cpu.empty(DType.F32, 4, 100, 8);     // a batch padded to 100
            cpu.fill(a, 7f);
            Object storage = a.storage();
            a.release();
            Tensor b = cpu.zeros(DType.F32, 4, 97, 8);      // padded to 97: the same size class
            assertSame(storage, b.storage());
            float[] data = cpu.download(b);
            assertEquals(4 * 97 * 8, data.length);
            for (float v : data) assertEquals(0f, v);
        }
    }

    @Test
    void storageReleasedBeyondTheBoundGoesBackToTheDevice() {
        CountingBackend pool = new CountingBackend(3 * 64 * 4);   // room for three 64-float buffers
        Tensor[] ts = new Tensor[5];
        for (int k = 0; k < ts.length; k++) ts[k] = pool.empty(DType.F32, 10);
        for (Tensor t : ts) t.release();
        assertEquals(3 * 64 * 4, pool.pooledBytes(), "the free lists stop at the bound");
        assertEquals(2, pool.freed(), "the rest went back");
        assertEquals(5, pool.freshAllocations());
        pool.empty(DType.F32, 12).release();                      // reuses a pooled buffer
        assertEquals(5, pool.freshAllocations());
    }
}
