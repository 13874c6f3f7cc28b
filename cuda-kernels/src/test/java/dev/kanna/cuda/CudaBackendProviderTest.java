/*
 * Discovery and probing, on any machine: the provider is found through ServiceLoader, probing never
 * throws and explains itself in one line, and "auto" falls back to the CPU when the GPU is unusable.
 */
package dev.kanna.cuda;

import dev.kanna.backend.Backend;
import dev.kanna.backend.BackendOptions;
import dev.kanna.backend.BackendProvider;
import dev.kanna.backend.Backends;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CudaBackendProviderTest {

    @Test
    void providerIsDiscoveredAsCuda() {
        List<String> names = new ArrayList<>();
        ServiceLoader.load(BackendProvider.class).forEach(p -> names.add(p.name()));
        assertTrue(names.contains("cuda"), "providers found: " + names);
    }

    @Test
    void probingAnswersInOneLineWithoutThrowing() {
        Optional<String> reason = new CudaBackendProvider().unavailableReason();
        reason.ifPresent(r -> {
            assertFalse(r.isBlank());
            assertFalse(r.contains("\n"), "one line: " + r);
        });
        assertEquals(reason, new CudaBackendProvider().unavailableReason(), "probing is stable");
    }

    @Test
    void autoChoosesTheCpuWhenCudaIsUnusableAndSaysWhy() {
        Optional<String> reason = new CudaBackendProvider().unavailableReason();
        List<String> log = new ArrayList<>();
        try (Backend b = Backends.open("auto", BackendOptions.defaults(), log::add)) {
            if (reason.isPresent()) {
                assertEquals("cpu", b.name());
                assertTrue(log.stream().anyMatch(l -> l.contains(reason.get())), "log: " + log);
            } else {
                assertEquals("cuda", b.name());
                assertTrue(b.description().contains("gemm:"), b.description());
            }
        }
        if (reason.isPresent()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Backends.open("cuda", BackendOptions.defaults(), log::add));
            assertTrue(e.getMessage().contains(reason.get()), e.getMessage());
        }
    }
}
