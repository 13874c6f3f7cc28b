/*
 * The CPU backend against the oracles (the shared conformance suite), with 3 threads on this 2-core
 * machine so that every split of work over threads is uneven.
 */
package dev.kanna.backend.cpu;

import dev.kanna.backend.Backend;
import dev.kanna.backend.oracle.BackendConformance;

class CpuBackendTest extends BackendConformance {
    @Override
    protected Backend openBackend() {
        return new CpuBackend(3);
    }
}
