/*
 * One line about the CUDA backend on this machine: what it would run on, or why it cannot run
 * (benchmarks/gpu/check.sh prints it first).
 */
package dev.kanna.cuda.bench;

import dev.kanna.backend.BackendOptions;
import dev.kanna.cuda.CudaBackend;
import dev.kanna.cuda.CudaBackendProvider;

import java.util.Optional;

public final class Probe {
    private Probe() {
    }

    public static void main(String[] args) {
        Optional<String> reason = new CudaBackendProvider().unavailableReason();
        if (reason.isPresent()) {
            System.out.println("cuda backend unavailable: " + reason.get());
            System.exit(2);
        }
        // twice: the second load shows whether the driver's JIT cache spares later processes the compile
        for (int attempt = 1; attempt <= 2; attempt++) {
            long t0 = System.nanoTime();
            try (CudaBackend b = new CudaBackend(new BackendOptions(0, true))) {
                long t1 = System.nanoTime();
                b.loadKernels();
                System.out.printf("cuda backend opened in %.1f s, all PTX modules loaded in %.1f s (load %d): %s%n",
                        (t1 - t0) / 1e9, (System.nanoTime() - t1) / 1e9, attempt, b.description());
            }
        }
    }
}
