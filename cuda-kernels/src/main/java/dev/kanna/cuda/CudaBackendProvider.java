/*
 * Makes the CUDA backend discoverable (META-INF/services): --device cuda, or auto when a usable GPU
 * is present. Probing never throws: without a driver or a GPU it answers with the reason.
 */
package dev.kanna.cuda;

import dev.kanna.backend.Backend;
import dev.kanna.backend.BackendOptions;
import dev.kanna.backend.BackendProvider;

import java.util.Optional;

public final class CudaBackendProvider implements BackendProvider {

    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public Optional<String> unavailableReason() {
        return CudaDevice.unavailableReason();
    }

    @Override
    public Backend open(BackendOptions options) {
        return new CudaBackend(options);
    }
}
