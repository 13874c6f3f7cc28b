/*
 * The conformance suite on a one-thread CPU backend: the code paths that do not split work.
 */
package dev.kanna.backend.cpu;

import dev.kanna.backend.Backend;
import dev.kanna.backend.oracle.BackendConformance;

class CpuBackendSingleThreadTest extends BackendConformance {
    @Override
    protected Backend openBackend() {
        return new CpuBackend(1);
    }
}
