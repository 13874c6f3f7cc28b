/*
 * Chooses a backend for a --device value: "cpu", a provider's name ("cuda"), or "auto" (the first
 * usable provider, else the CPU). The choice and, for auto, why a GPU was not used, are reported.
 */
package dev.kanna.backend;

import dev.kanna.backend.cpu.CpuBackend;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.function.Consumer;

public final class Backends {
    private Backends() {
    }

    public static Backend open(String device, BackendOptions options, Consumer<String> log) {
        List<BackendProvider> providers = new ArrayList<>();
        ServiceLoader.load(BackendProvider.class).forEach(providers::add);
        switch (device) {
            case "cpu" -> {
                return new CpuBackend(options.resolvedThreads());
            }
            case "auto" -> {
                for (BackendProvider p : providers) {
                    Optional<String> reason = p.unavailableReason();
                    if (reason.isEmpty()) return p.open(options);
                    log.accept("device auto: " + p.name() + " not used (" + reason.get() + "); using the CPU");
                }
                return new CpuBackend(options.resolvedThreads());
            }
            default -> {
                for (BackendProvider p : providers) {
                    if (!p.name().equals(device)) continue;
                    Optional<String> reason = p.unavailableReason();
                    if (reason.isPresent()) {
                        throw new IllegalArgumentException("device " + device + " is not usable here: " + reason.get());
                    }
                    return p.open(options);
                }
                List<String> names = new ArrayList<>(List.of("cpu", "auto"));
                providers.forEach(p -> names.add(p.name()));
                throw new IllegalArgumentException("unknown device '" + device + "'; expected one of " + names
                        + (device.equals("cuda") ? " (the CUDA backend is not on the class path)" : ""));
            }
        }
    }
}
