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
 *
 * LayerwiseTraining adds the few-sample techniques: each parameter's rate a multiple of the
 * schedule's (AdamW's multipliers), and gradual unfreezing, where startEpoch(e) narrows the
 * policy's trainable set to its top e+1 groups. AdamW holds moments for the policy's whole set from
 * the start; a parameter frozen this epoch keeps its zero moments and step count until it trains.
 */
package dev.kanna.train;

import dev.kanna.autograd.Ops;
import dev.kanna.autograd.Parameter;
import dev.kanna.autograd.Tape;
import dev.kanna.backend.Backend;
import dev.kanna.backend.DropoutRng;
import dev.kanna.backend.Scope;
import dev.kanna.bert.Batch;
import dev.kanna.bert.BertInputs;
import dev.kanna.bert.FreezePolicy;
import dev.kanna.bert.HiddenBatch;
import dev.kanna.bert.HiddenInputs;
import dev.kanna.bert.LayerDepth;
import dev.kanna.bert.TaskModel;
import dev.kanna.bert.TrainableParameters;
import dev.kanna.optim.AdamW;
import dev.kanna.optim.GradientClipping;
import dev.kanna.optim.LrSchedule;
import dev.kanna.tensor.Tensor;

import java.util.ArrayList;
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
    private final LayerwiseTraining layerwise;
    private final int layers;
    private final int frozenLower;      // layers below the first the policy trains (with frozen embeddings)
    private final boolean trainsEmbeddings;      // whether the policy trains an embedding parameter
    private final int[] unfreezeOrder;  // the depths the policy trains, ascending: gradual unfreezing's groups

    /** Applies the freezing policy and allocates gradients and moments; call outside any backend scope. */
    public FineTuner(TaskModel model, FreezePolicy policy, Settings settings) {
        this(model, policy, settings, LayerwiseTraining.none());
    }

    /** As above, with layer-wise rates and (then in its epoch-0 state) gradual unfreezing. */
    public FineTuner(TaskModel model, FreezePolicy policy, Settings settings, LayerwiseTraining layerwise) {
        this.model = model;
        this.backend = model.bert().backend();
        this.settings = settings;
        this.layerwise = layerwise;
        this.layers = model.config().numHiddenLayers();
        this.trainable = policy.apply(model);
        if (trainable.parameters().isEmpty()) throw new IllegalArgumentException("freezing policy " + policy + " leaves nothing to train");
        this.optimizer = new AdamW(trainable.parameters(), settings.adam(),
                layerwise.lrScales(trainable.parameters(), layers, settings.lr()));
        this.frozenLower = model.bert().frozenLowerLayers();
        this.trainsEmbeddings = model.bert().embeddingsTrain();
        this.unfreezeOrder = trainable.parameters().stream().mapToInt(p -> LayerDepth.of(p, layers)).distinct().sorted().toArray();
        startEpoch(0);
    }

    /** The parameters the freezing policy trains (in some epoch, under gradual unfreezing): AdamW's. */
    public TrainableParameters trainable() {
        return trainable;
    }

    /** The parameters that train now (all of trainable() unless gradual unfreezing holds some back). */
    public List<Parameter> training() {
        return trainable.parameters().stream().filter(Parameter::trainable).toList();
    }

    /**
     * Gradual unfreezing: lets the policy's top epoch+1 groups train (the head first; all of them from
     * the epoch that reaches the lowest) and freezes the rest. Without it, nothing changes. Returns
     * the groups training now, top first ("head", "layer 3", "embeddings"). Call outside any scope.
     */
    public List<String> startEpoch(int epoch) {
        if (epoch < 0) throw new IllegalArgumentException("epoch " + epoch);
        if (!layerwise.gradualUnfreeze()) return groups();
        int reach = unfreezeOrder[Math.min(epoch, unfreezeOrder.length - 1)];
        for (Parameter p : trainable.parameters()) {
            boolean trains = LayerDepth.of(p, layers) <= reach;
            if (trains != p.trainable()) p.setTrainable(trains);
        }
        return groups().subList(0, Math.min(epoch, unfreezeOrder.length - 1) + 1);
    }

    /** Every group the policy trains, top first: "head", "layer 11", ..., "embeddings". */
    public List<String> groups() {
        List<String> groups = new ArrayList<>();
        for (int depth : unfreezeOrder) groups.add(LayerDepth.describe(depth, layers));
        return groups;
    }

    /** The bottom encoder layers no epoch trains (0 when the policy trains the embeddings): what a cache may hold. */
    public int frozenLowerLayers() {
        return frozenLower;
    }

    /** Whether the policy trains an embedding parameter (in some epoch). */
    public boolean trainsEmbeddings() {
        return trainsEmbeddings;
    }

    public LayerwiseTraining layerwise() {
        return layerwise;
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
        List<Parameter> training = training();
        double norm = settings.maxGradNorm() > 0
                ? GradientClipping.clip(training, settings.maxGradNorm())
                : GradientClipping.globalNorm(training);
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
