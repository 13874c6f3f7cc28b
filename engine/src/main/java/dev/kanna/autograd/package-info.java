/**
 * Reverse-mode differentiation over the backend's coarse ops. {@link dev.kanna.autograd.Ops} runs
 * each op's forward and, when a gradient is wanted, records its backward on a
 * {@link dev.kanna.autograd.Tape}; {@link dev.kanna.autograd.Tape#backward()} runs them newest first,
 * accumulating into activation gradients (allocated lazily, zeroed, in the step's scope) and into
 * the trainable {@link dev.kanna.autograd.Parameter}s' gradients. Frozen parameters with inputs that
 * need no gradient record nothing and keep nothing.
 */
package dev.kanna.autograd;
