/*
 * A device implementation found at run time through ServiceLoader (the CUDA backend lives in its own
 * module, so the engine has no GPU dependency and the CPU path works anywhere).
 */
package dev.kanna.backend;

import java.util.Optional;

public interface BackendProvider {

    /** The device name users pass to --device: "cuda". */
    String name();

    /** Empty when the device can be used here, else the reason it cannot (one line). */
    Optional<String> unavailableReason();

    /** Opens the backend; call only when {@link #unavailableReason()} is empty. */
    Backend open(BackendOptions options);
}
