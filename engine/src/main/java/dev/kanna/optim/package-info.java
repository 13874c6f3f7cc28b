/**
 * Optimisation numerics as PyTorch and transformers define them: torch.optim.AdamW
 * ({@link dev.kanna.optim.AdamW}, with transformers' no-decay group), transformers' learning-rate
 * schedules ({@link dev.kanna.optim.LrSchedule}) and torch.nn.utils.clip_grad_norm_
 * ({@link dev.kanna.optim.GradientClipping}).
 */
package dev.kanna.optim;
