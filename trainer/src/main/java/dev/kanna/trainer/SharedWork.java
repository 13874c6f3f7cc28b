/*
 * What several training runs on the same data and base model can share (the trials of a
 * hyperparameter search, run one after another): the read and tokenized datasets, computed by the
 * first run, and the --cache-frozen states of the frozen lower stack, one cache per frozen depth.
 * Each is reused only under the settings it was computed for: the data under the same files, task,
 * fields and tokenization settings (dataKey); a frozen cache under the same data, depth and
 * evaluation batch size (its padding decides its bits), from the same base model's frozen layers,
 * which no run changes. Caches beyond the heap budget are dropped, least recently used first.
 */
package dev.kanna.trainer;

import dev.kanna.train.FrozenCache;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

public final class SharedWork {
    /** The host memory all kept frozen caches may take, as a share of the Java heap (FrozenStates refuses one above it). */
    private static final double MAX_HEAP_SHARE = 0.6;

    /** A frozen stack's output over the training and (nullable) validation examples. */
    record FrozenPair(FrozenCache train, FrozenCache validation, long bytes) {
    }

    private String dataKey;
    private Object data;    // Trainer.Prepared for dataKey
    private final Map<String, FrozenPair> frozen = new LinkedHashMap<>(8, 0.75f, true);   // access order: LRU first

    /** The prepared data for this key, or null (another key's data is dropped, and every cache made from it). */
    synchronized Object data(String key) {
        if (!key.equals(dataKey)) {
            dataKey = null;
            data = null;
            frozen.clear();
        }
        return data;
    }

    synchronized void putData(String key, Object prepared) {
        dataKey = key;
        data = prepared;
        frozen.clear();
    }

    /** The frozen cache of this depth and evaluation batch size for the current data, or null. */
    synchronized FrozenPair frozen(int layers, int batchSize) {
        return frozen.get(layers + "/" + batchSize);
    }

    /** Keeps a frozen cache, dropping the least recently used ones while all would exceed the heap budget. */
    synchronized void putFrozen(int layers, int batchSize, FrozenPair pair) {
        long budget = (long) (MAX_HEAP_SHARE * Runtime.getRuntime().maxMemory());
        long used = pair.bytes();
        for (FrozenPair p : frozen.values()) used += p.bytes();
        for (Iterator<FrozenPair> it = frozen.values().iterator(); used > budget && it.hasNext(); ) {
            used -= it.next().bytes();
            it.remove();
        }
        frozen.put(layers + "/" + batchSize, pair);
    }

    /** How many frozen caches are kept (for tests and logs). */
    synchronized int frozenCaches() {
        return frozen.size();
    }
}
