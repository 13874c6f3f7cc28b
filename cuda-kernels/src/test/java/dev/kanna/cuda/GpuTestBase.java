/*
 * Shared set-up of the GPU parity tests: one CPU backend (the reference) and two CUDA backends, fp32
 * and mixed precision, opened once per test class. Where no usable GPU is present every test of the
 * class is skipped with the provider's reason.
 */
package dev.kanna.cuda;

import dev.kanna.backend.BackendOptions;
import dev.kanna.backend.cpu.CpuBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

import java.util.Optional;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

abstract class GpuTestBase {

    static CpuBackend cpu;
    static CudaBackend gpu;     // fp32 mode: parity
    static CudaBackend mixed;   // bf16 matmuls

    private static Optional<String> unavailable;

    @BeforeAll
    static void openBackends() {
        unavailable = new CudaBackendProvider().unavailableReason();
        if (unavailable.isPresent()) return;
        cpu = new CpuBackend(2);
        gpu = new CudaBackend(new BackendOptions(0, false));
        mixed = new CudaBackend(new BackendOptions(0, true));
    }

    /** Each test, not the class, is skipped, so reports list every skipped test with the reason. */
    @BeforeEach
    void requireGpu() {
        assumeTrue(unavailable.isEmpty(), () -> "no usable GPU: " + unavailable.orElse(""));
    }

    @AfterAll
    static void closeBackends() {
        if (mixed != null) mixed.close();
        if (gpu != null) gpu.close();
        if (cpu != null) cpu.close();
        mixed = gpu = null;
        cpu = null;
    }
}
