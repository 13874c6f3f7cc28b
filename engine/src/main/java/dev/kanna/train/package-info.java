/**
 * The fine-tuning step: forward, loss, backward over micro-batches, clipping, AdamW at the
 * schedule's rate ({@link dev.kanna.train.FineTuner}), deterministic for a seed and resumable from
 * the optimizer's state; {@link dev.kanna.train.FrozenCache} keeps a frozen lower stack's output so
 * that steps run only the layers that train. Data loading, evaluation loops and checkpoints on disk
 * belong to the trainer.
 */
package dev.kanna.train;
