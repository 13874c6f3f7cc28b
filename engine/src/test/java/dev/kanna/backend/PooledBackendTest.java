/*
 * Storage pooling and allocation scopes (PooledBackend, through the CPU backend): released storage is
 * reused, scopes release what they own and nothing else, keep moves a tensor to the enclosing scope,
 * views never release, and misuse fails loudly.
 */
package dev.kanna.backend;

import dev.kanna.backend.cpu.CpuBackend;
import dev.kanna.tensor.DType;
import dev.kanna.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PooledBackendTest {
    private final CpuBackend backend = new CpuBackend(1);

    @AfterEach
    void close() {
        backend.close();
    }

    @Test
    void releasedStorageIsReusedForTheSameDtypeAndSize() {
        Tensor a = backend.empty(DType.F32, 4, 6);
        Object storage = a.storage();
        a.release();
        assertTrue(a.isReleased());
        assertThrows(IllegalStateException.class, a::storage);
        assertSame(storage, backend.empty(DType.F32, 6, 4).storage(), "same element count, same dtype");
        Tensor b = backend.empty(DType.F32, 24);
        assertNotSame(storage, b.storage(), "the pooled buffer was already taken");
        b.release();
        assertNotSame(storage, backend.empty(DType.I32, 24).storage(), "another dtype never shares storage");
    }

    @Test
    void zerosClearsReusedStorage() {
        Tensor a = backend.upload(new float[]{1, 2, 3}, 3);
        a.release();
        Tensor z = backend.zeros(3);
        assertSame(z.storage(), z.storage());
        for (float v : backend.download(z)) assertTrue(v == 0f);
    }

    @Test
    void scopeReleasesWhatItAllocatedAndKeepMovesToTheParent() {
        Tensor outside = backend.zeros(2);
        Tensor kept, inner, keptToTop;
        try (Scope outer = backend.scope()) {
            try (Scope s = backend.scope()) {
                inner = backend.zeros(3);
                kept = s.keep(backend.zeros(4));
            }
            assertTrue(inner.isReleased());
            assertFalse(kept.isReleased(), "kept tensors survive their scope");
            keptToTop = outer.keep(kept);
        }
        assertFalse(keptToTop.isReleased(), "kept out of the outermost scope: owned by no scope");
        assertFalse(outside.isReleased(), "allocated outside any scope");
    }

    @Test
    void keptTensorIsReleasedByTheEnclosingScope() {
        Tensor kept;
        try (Scope outer = backend.scope()) {
            try (Scope s = backend.scope()) {
                kept = s.keep(backend.zeros(5));
            }
            assertFalse(kept.isReleased());
        }
        assertTrue(kept.isReleased());
    }

    @Test
    void viewsNeverReleaseStorage() {
        Tensor t = backend.zeros(2, 3);
        Tensor v = t.view(6);
        v.release();
        assertFalse(t.isReleased());
        assertFalse(v.isReleased());
        assertThrows(IllegalArgumentException.class, () -> t.view(7));
    }

    @Test
    void closingAnOuterScopeFirstFailsAndLeavesBothUsable() {
        Scope outer = backend.scope();
        Scope inner = backend.scope();
        Tensor t = backend.zeros(1);
        assertThrows(IllegalStateException.class, outer::close);
        inner.close();
        assertTrue(t.isReleased());
        outer.close();                                     // now in order: fine
    }

    @Test
    void doubleReleaseIsHarmless() {
        Tensor t = backend.zeros(8);
        Object storage = t.storage();
        t.release();
        t.release();
        Tensor a = backend.empty(DType.F32, 8), b = backend.empty(DType.F32, 8);
        assertSame(storage, a.storage());
        assertNotSame(a.storage(), b.storage(), "released once, pooled once");
    }
}
