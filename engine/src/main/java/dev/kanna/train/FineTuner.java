/*
 * One optimizer step of fine-tuning any task model, the engine's training loop body:
 *
 *   for each micro-batch (gradient accumulation):
 *       outputs = model(batch)                recorded for the trainable parameters only
 *       loss    = task loss(outputs, targets) / micro-batches
 *       backward                              gradients accumulate into the parameters
 *   clip the global gradient norm; AdamW at the schedule's rate; zero the gradients
 *
 * A micro-batch is token ids (the whole model runs) or a frozen lower stack's cached output (only
 * the layers above it run; see FrozenCache). Each micro-batch runs inside one backend scope, so
 * activations and activation gradients return to the pool and a steady-state step allocates nothing
 * new. Dropout seeds derive from (seed, optimizer step, micro-batch), so a run is deterministic, and
 * resuming from a restored optimizer state draws the same masks as never stopping.
 */
package dev.kanna.train;

import dev.kanna.autograd.Ops;
import dev.kanna.autograd.Tape;
import dev.kanna.backend.Backend;
import dev.kanna.backend.DropoutRng;
import dev.kanna.backend.Scope;
import dev.kanna.bert.Batch;
import dev.kanna.bert.BertInputs;
import dev.kanna.bert.FreezePolicy;
import dev.kanna.bert.HiddenBatch;
import dev.kanna.bert.HiddenInputs;
import dev.kanna.bert.TaskModel;
import dev.kanna.bert.TrainableParameters;
import dev.kanna.optim.AdamW;
import dev.kanna.optim.GradientClipping;
import dev.kanna.optim.LrSchedule;
import dev.kanna.tensor.Tensor;

import java.util.List;

public final class FineTuner {

    /** A micro-batch and the targets of its outputs. */
    public sealed interface TrainingBatch permits LabelledBatch, CachedBatch {
        Targets targets();
    }

    /** Token ids: the step runs the whole model. */
    public record LabelledBatch(Batch batch, Targets targets) implements TrainingBatch {
        /** One class label per sequence (negative: ignored). */
        public LabelledBatch(Batch batch, int[] labels) {
            this(batch, new Targets.Classes(labels));
        }
    }

    /** The frozen lower stack's output (a {@link FrozenCache} batch): the step runs the layers above it only. */
    public record CachedBatch(HiddenBatch hidden, Targets targets) implements TrainingBatch {
    }

    /** What one optimizer step did: its index (from 1), mean loss, gradient norm before clipping, learning rate. */
    public record StepResult(long step, double loss, double gradNorm, double lr) {
    }

    /**
     * @param lr                 base learning rate
     * @param schedule           the learning-rate schedule over optimizer steps
     * @param adam               AdamW hyperparameters (weight decay included)
     * @param maxGradNorm        global-norm clipping threshold; ≤ 0 disables clipping
     * @param loss               the task's objective
     * @param dropout            whether dropout is on (the config's probabilities) during training
     * @param seed               base seed of the dropout stream
     */
    public record Settings(double lr, LrSchedule schedule, AdamW.Options adam, double maxGradNorm, Loss loss,
                           boolean dropout, long seed) {

        /** Single-label classification: cross-entropy with label smoothing and class weights (nullable). */
        public Settings(double lr, LrSchedule schedule, AdamW.Options adam, double maxGradNorm, float labelSmoothing,
                        float[] classWeights, boolean dropout, long seed) {
            this(lr, schedule, adam, maxGradNorm, new Loss.CrossEntropy(classWeights, labelSmoothing), dropout, seed);
        }
    }

    private final TaskModel model;
    private final Backend backend;
    private final Settings settings;
    private final TrainableParameters trainable;
    private final AdamW optimizer;
    private final int frozenLower;      // layers below the first that trains (with frozen embeddings)

    /** Applies the freezing policy and allocates gradients and moments; call outside any backend scope. */
    public FineTuner(TaskModel model, FreezePolicy policy, Settings settings) {
        this.model = model;
        this.backend = model.bert().backend();
        this.settings = settings;
        this.trainable = policy.apply(model);
        if (trainable.parameters().isEmpty()) throw new IllegalArgumentException("freezing policy " + policy + " leaves nothing to train");
        this.optimizer = new AdamW(trainable.parameters(), settings.adam());
        this.frozenLower = model.bert().frozenLowerLayers();
    }

    public TrainableParameters trainable() {
        return trainable;
    }

    public AdamW optimizer() {
        return optimizer;
    }

    /** One optimizer step over microBatches (≥ 1; more than one accumulates their gradients). */
    public StepResult step(List<? extends TrainingBatch> microBatches) {
        if (microBatches.isEmpty()) throw new IllegalArgumentException("a step needs at least one batch");
        long index = optimizer.steps();
        double lr = settings.schedule().lr(settings.lr(), index);
        double lossSum = 0;
        for (int k = 0; k < microBatches.size(); k++) {
            lossSum += accumulate(microBatches.get(k), DropoutRng.derive(DropoutRng.derive(settings.seed(), index), k),
                    1.0 / microBatches.size());
        }
        double norm = settings.maxGradNorm() > 0
                ? GradientClipping.clip(trainable.parameters(), settings.maxGradNorm())
                : GradientClipping.globalNorm(trainable.parameters());
        optimizer.step(lr);
        optimizer.zeroGrad();
        return new StepResult(optimizer.steps(), lossSum / microBatches.size(), norm, lr);
    }

    /** Forward and backward of one micro-batch; its gradients (times gradScale) accumulate. Returns its mean loss. */
    public double accumulate(TrainingBatch batch, long dropoutSeed, double gradScale) {
        try (Scope ignored = backend.scope()) {
            Tape tape = new Tape(backend);
            Ops ops = settings.dropout() ? Ops.training(backend, tape, dropoutSeed) : Ops.recording(tape);
            double loss = settings.loss().apply(ops, outputs(ops, batch), batch.targets(), gradScale);
            tape.backward();
            return loss;
        }
    }

    /** The mean loss of a batch without recording or dropout (validation). */
    public double loss(TrainingBatch batch) {
        try (Scope ignored = backend.scope()) {
            Ops ops = Ops.inference(backend);
            return settings.loss().apply(ops, outputs(ops, batch), batch.targets(), 1.0);
        }
    }

    /** (B, K) or (B, T, K); (M, K) for Selected targets. */
    private Tensor outputs(Ops ops, TrainingBatch batch) {
        Tensor rows = batch.targets() instanceof Targets.Selected s ? backend.upload(s.rows(), s.rows().length) : null;
        return switch (batch) {
            case LabelledBatch b -> {
                BertInputs inputs = BertInputs.upload(backend, b.batch(), model.config());
                yield rows != null ? model.outputsAt(ops, inputs, rows) : model.outputs(ops, inputs);
            }
            case CachedBatch c -> {
                // States from above a layer that trains would silently skip that layer's gradients.
                if (c.hidden().layer() > frozenLower) {
                    throw new IllegalArgumentException("cached states enter layer " + c.hidden().layer()
                            + ", but layer " + frozenLower + " (or the embeddings) trains");
                }
                HiddenInputs inputs = c.hidden().upload(backend);
                yield rows != null ? model.outputsAt(ops, inputs, rows) : model.outputs(ops, inputs);
            }
        };
    }
}
