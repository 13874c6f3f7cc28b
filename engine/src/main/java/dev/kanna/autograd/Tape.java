/*
 * The reverse-mode tape: recorded ops append a backward closure, backward() runs them newest first.
 * It also owns the activation gradients: a tensor is "tracked" when its gradient is wanted (it was
 * produced by a recorded op), and its gradient is allocated zeroed on first use, inside whatever
 * backend scope is open, so a training step's gradients go back to the pool with its activations.
 * Backward closures ACCUMULATE, as the backend's backward ops do, so a tensor used twice (a residual)
 * receives both contributions.
 */
package dev.kanna.autograd;

import dev.kanna.backend.Backend;
import dev.kanna.tensor.Tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

public final class Tape {
    private final Backend backend;
    private final List<Runnable> backwards = new ArrayList<>();
    private final Map<Tensor, Tensor> grads = new IdentityHashMap<>();
    private final Set<Tensor> tracked = Collections.newSetFromMap(new IdentityHashMap<>());

    public Tape(Backend backend) {
        this.backend = backend;
    }

    public Backend backend() {
        return backend;
    }

    /** Whether the gradient of t is wanted (t was produced by a recorded op). */
    public boolean tracks(Tensor t) {
        return tracked.contains(t);
    }

    /** Marks t as needing a gradient. */
    public void track(Tensor t) {
        tracked.add(t);
    }

    /** The gradient of a tracked tensor, allocated zeroed on first use. */
    public Tensor grad(Tensor t) {
        if (!tracked.contains(t)) throw new IllegalStateException("no gradient is tracked for " + t);
        return grads.computeIfAbsent(t, k -> backend.zeros(k.shape()));
    }

    /** {@link #grad} for a tracked tensor, null otherwise (the backend then skips that gradient). */
    public Tensor gradOrNull(Tensor t) {
        return tracked.contains(t) ? grad(t) : null;
    }

    /** The gradient that has flowed into t so far, or null when nothing has: its producer can skip. */
    public Tensor existingGrad(Tensor t) {
        return grads.get(t);
    }

    /** Appends the backward of an op just run. */
    public void record(Runnable backward) {
        backwards.add(backward);
    }

    /** Number of recorded ops. */
    public int size() {
        return backwards.size();
    }

    /** Runs every recorded backward, newest first, then forgets them (the tape is used once). */
    public void backward() {
        for (int k = backwards.size() - 1; k >= 0; k--) backwards.get(k).run();
        clear();
    }

    /** Adds seed to the gradient of output (∂objective/∂output), then runs {@link #backward()}. */
    public void backward(Tensor output, Tensor seed) {
        Tensor g = grad(output);
        backend.add(g, g, seed);
        backward();
    }

    /** Forgets recorded ops and activation gradients (their storage belongs to the step's scope). */
    public void clear() {
        backwards.clear();
        grads.clear();
        tracked.clear();
    }
}
