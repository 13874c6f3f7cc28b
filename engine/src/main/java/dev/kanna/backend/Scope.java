/*
 * An allocation scope: tensors allocated while it is open are released when it closes, so a
 * training step's activations go back to the backend's pool in one place.
 */
package dev.kanna.backend;

import dev.kanna.tensor.Tensor;

public interface Scope extends AutoCloseable {

    /** Moves t out of this scope into the enclosing one (or out of all scopes), and returns it. */
    Tensor keep(Tensor t);

    @Override
    void close();
}
