/*
 * --device and --threads, shared by every command that computes (a picocli mixin).
 */
package dev.kanna.cli;

import dev.kanna.backend.Backend;
import dev.kanna.backend.BackendOptions;
import dev.kanna.backend.Backends;
import picocli.CommandLine.Option;

import java.util.function.Consumer;

final class DeviceOptions {
    @Option(names = "--device", defaultValue = "auto", paramLabel = "cpu|cuda|auto",
            description = "Where to compute (default: ${DEFAULT-VALUE}: the GPU when one is usable, else the CPU).")
    String device;

    @Option(names = "--threads", defaultValue = "0", paramLabel = "N",
            description = "CPU threads (default: one per core).")
    int threads;

    Backend open(Consumer<String> log) {
        return Backends.open(device, new BackendOptions(threads, true), log);
    }
}
