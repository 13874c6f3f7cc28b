/*
 * Storage pooling and allocation scopes shared by the backends. Storage is allocated in size
 * classes (a quarter of a power of two: at most 25% slack), and released storage goes to a free list
 * per (dtype, class), so a training step allocates nothing in steady state even when batches are
 * padded to different lengths. The free lists hold at most maxPooledBytes(); storage released beyond
 * that goes back to the device, so varying shapes cannot grow the pool without bound. Scopes are per
 * thread and nest.
 */
package dev.kanna.backend;

import dev.kanna.tensor.DType;
import dev.kanna.tensor.Shapes;
import dev.kanna.tensor.Tensor;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

public abstract class PooledBackend implements Backend {

    private record Key(DType dtype, long capacity) {
    }

    private final Map<Key, ArrayDeque<Object>> free = new HashMap<>();
    private long pooledBytes;     // bytes in the free lists, guarded by `free`
    private final ThreadLocal<ArrayDeque<ScopeImpl>> scopes = ThreadLocal.withInitial(ArrayDeque::new);

    /** Fresh device storage for capacity elements of dtype (contents unspecified). */
    protected abstract Object allocateStorage(DType dtype, long capacity);

    /** The most bytes released storage may hold in the free lists. */
    protected abstract long maxPooledBytes();

    /**
     * The element count storage for size elements is allocated with: size rounded up to a multiple of
     * a quarter of its highest power of two (64 elements at least), so nearby sizes share storage.
     */
    public static long capacity(long size) {
        if (size <= 64) return 64;
        long step = Long.highestOneBit(size) / 4;
        return Math.ceilDiv(size, step) * step;
    }

    /** Sets size elements of storage to zero. */
    protected abstract void zeroStorage(Object storage, DType dtype, long size);

    /** Gives storage back to the device for good (pool trimming, close). */
    protected abstract void freeStorage(Object storage);

    @Override
    public Tensor empty(DType dtype, int... shape) {
        long capacity = capacity(Shapes.elementCount(shape));
        Object storage = null;
        synchronized (free) {
            ArrayDeque<Object> list = free.get(new Key(dtype, capacity));
            if (list != null) storage = list.poll();
            if (storage != null) pooledBytes -= capacity * dtype.byteSize();
        }
        if (storage == null) storage = allocateStorage(dtype, capacity);
        Tensor t = new Tensor(this, dtype, shape, storage, true);
        ScopeImpl scope = scopes.get().peek();
        if (scope != null) scope.owned.add(t);
        return t;
    }

    @Override
    public Tensor zeros(DType dtype, int... shape) {
        Tensor t = empty(dtype, shape);
        zeroStorage(t.storage(), dtype, t.size());
        return t;
    }

    @Override
    public void release(Tensor t) {
        if (!t.ownsStorage() || t.isReleased()) return;
        Object storage = t.storage();
        t.markReleased();
        long capacity = capacity(t.size()), bytes = capacity * t.dtype().byteSize();
        synchronized (free) {
            if (pooledBytes + bytes <= maxPooledBytes()) {
                free.computeIfAbsent(new Key(t.dtype(), capacity), k -> new ArrayDeque<>()).push(storage);
                pooledBytes += bytes;
                return;
            }
        }
        freeStorage(storage);
    }

    /** Bytes currently held in the free lists. */
    public long pooledBytes() {
        synchronized (free) {
            return pooledBytes;
        }
    }

    /** Frees all pooled storage (tensors still in use are unaffected). */
    public void trimPool() {
        synchronized (free) {
            free.values().forEach(list -> list.forEach(this::freeStorage));
            free.clear();
            pooledBytes = 0;
        }
    }

    @Override
    public Scope scope() {
        ScopeImpl scope = new ScopeImpl();
        scopes.get().push(scope);
        return scope;
    }

    private final class ScopeImpl implements Scope {
        // Tensor keeps Object's identity equals; insertion order makes the pool's reuse order, and so
        // which buffer each later allocation gets, the same on every run.
        final Set<Tensor> owned = new LinkedHashSet<>();
        boolean closed;

        @Override
        public Tensor keep(Tensor t) {
            if (owned.remove(t)) {
                ArrayDeque<ScopeImpl> stack = scopes.get();
                ScopeImpl parent = null;
                boolean below = false;
                for (ScopeImpl s : stack) {   // iterates from the innermost scope outwards
                    if (below) {
                        parent = s;
                        break;
                    }
                    below = s == this;
                }
                if (parent != null) parent.owned.add(t);
            }
            return t;
        }

        @Override
        public void close() {
            if (closed) return;
            ArrayDeque<ScopeImpl> stack = scopes.get();
            if (stack.peek() != this) {
                throw new IllegalStateException("scopes must close innermost first (and on the thread that opened them)");
            }
            closed = true;
            stack.pop();
            for (Tensor t : owned) release(t);
            owned.clear();
        }
    }
}
