/*
 * torch.optim.AdamW over the trainable parameters. Backend.adamw does the per-element math in
 * torch's order; this class keeps the step counts and the moments (allocated for trainable
 * parameters only) and applies weight decay only where transformers' Trainer does (not to biases
 * and LayerNorm weights: Parameter.decays()). The learning rate comes from the caller each step
 * (the schedule's value before the step, as torch's LambdaLR).
 *
 * Parameter groups of other rates (layer-wise decay, a head rate) are a multiplier per parameter:
 * parameter k steps at lr · lrScale[k], the product MAE's lr_sched takes (param_group["lr"] =
 * lr · lr_scale). A multiplier of 1 leaves lr exact, so the default arithmetic is unchanged.
 *
 * A parameter frozen when step() runs is skipped, as torch skips one whose grad is None, and, as
 * torch keeps state["step"] per parameter, each parameter counts its own steps: one unfrozen later
 * (gradual unfreezing) starts its bias correction at step 1.
 */
package dev.kanna.optim;

import dev.kanna.autograd.Parameter;
import dev.kanna.backend.Backend;
import dev.kanna.tensor.HostTensor;
import dev.kanna.tensor.Tensor;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

public final class AdamW {

    /** torch's defaults: betas (0.9, 0.999), eps 1e-8; transformers' Trainer: weight decay 0. */
    public record Options(double beta1, double beta2, double eps, double weightDecay) {
        public static Options defaults() {
            return new Options(0.9, 0.999, 1e-8, 0.0);
        }

        public Options withWeightDecay(double decay) {
            return new Options(beta1, beta2, eps, decay);
        }
    }

    /**
     * Optimizer state for a checkpoint: steps taken, first and second moments by parameter name, and
     * the step count of each parameter that has had fewer updates than step (absent: step).
     */
    public record State(long step, Map<String, HostTensor> expAvg, Map<String, HostTensor> expAvgSq,
                        Map<String, Long> parameterSteps) {
        public State {
            parameterSteps = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(parameterSteps));   // keeps model order
        }

        /** Every parameter updated at every step. */
        public State(long step, Map<String, HostTensor> expAvg, Map<String, HostTensor> expAvgSq) {
            this(step, expAvg, expAvgSq, Map.of());
        }
    }

    private final List<Parameter> parameters;
    private final Options options;
    private final Tensor[] expAvg;      // m, one per parameter, its shape
    private final Tensor[] expAvgSq;    // v, one per parameter, its shape
    private final double[] lrScale;     // each parameter's multiplier of the step's learning rate
    private final long[] steps;         // updates each parameter has had (its bias-correction step)
    private long step;

    /** Allocates zeroed moments for each (trainable) parameter; call outside any backend scope. */
    public AdamW(List<Parameter> trainable, Options options) {
        this(trainable, options, null);
    }

    /** As above, parameter k stepping at lr · lrScale[k] (null: every multiplier 1). */
    public AdamW(List<Parameter> trainable, Options options, double[] lrScale) {
        this.parameters = List.copyOf(trainable);
        this.options = options;
        if (lrScale != null && lrScale.length != parameters.size()) {
            throw new IllegalArgumentException(lrScale.length + " learning-rate multipliers for " + parameters.size() + " parameters");
        }
        this.lrScale = new double[parameters.size()];
        Arrays.fill(this.lrScale, 1.0);
        if (lrScale != null) System.arraycopy(lrScale, 0, this.lrScale, 0, lrScale.length);
        for (double scale : this.lrScale) {
            if (!(scale > 0) || Double.isInfinite(scale)) throw new IllegalArgumentException("learning-rate multiplier " + scale + " is not positive");
        }
        this.steps = new long[parameters.size()];
        this.expAvg = new Tensor[parameters.size()];
        this.expAvgSq = new Tensor[parameters.size()];
        for (int k = 0; k < parameters.size(); k++) {
            Parameter p = parameters.get(k);
            if (!p.trainable()) throw new IllegalArgumentException(p.name() + " is frozen; AdamW takes trainable parameters");
            Backend backend = p.value().backend();
            expAvg[k] = backend.zeros(p.value().shape());
            expAvgSq[k] = backend.zeros(p.value().shape());
        }
    }

    /**
     * One update of every parameter that trains now from its gradient, at lr times its multiplier;
     * then the step count is one higher.
     */
    public void step(double lr) {
        step++;
        for (int k = 0; k < parameters.size(); k++) {
            Parameter p = parameters.get(k);
            if (!p.trainable()) continue;
            steps[k]++;
            double decay = p.decays() ? options.weightDecay() : 0.0;
            p.value().backend().adamw(p.value(), p.grad(), expAvg[k], expAvgSq[k], lr * lrScale[k], options.beta1(),
                    options.beta2(), options.eps(), decay, steps[k]);
        }
    }

    /** Sets every gradient to zero (gradients accumulate across backward passes until then). */
    public void zeroGrad() {
        for (Parameter p : parameters) if (p.trainable()) p.value().backend().fill(p.grad(), 0f);
    }

    /** Parameter k's multiplier of the learning rate, in parameters() order. */
    public double lrScale(int k) {
        return lrScale[k];
    }

    /** Optimizer steps taken so far. */
    public long steps() {
        return step;
    }

    public List<Parameter> parameters() {
        return parameters;
    }

    public State state() {
        Map<String, HostTensor> m = new LinkedHashMap<>(), v = new LinkedHashMap<>();
        Map<String, Long> behind = new LinkedHashMap<>();
        for (int k = 0; k < parameters.size(); k++) {
            Backend backend = expAvg[k].backend();
            String name = parameters.get(k).name();
            m.put(name, new HostTensor(expAvg[k].shape(), backend.download(expAvg[k])));
            v.put(name, new HostTensor(expAvgSq[k].shape(), backend.download(expAvgSq[k])));
            if (steps[k] != step) behind.put(name, steps[k]);
        }
        return new State(step, m, v, behind);
    }

    /** Restores a state saved by {@link #state()} for the same trainable parameters. */
    public void restore(State state) {
        if (state.expAvg().size() != parameters.size() || state.expAvgSq().size() != parameters.size()) {
            throw new IllegalArgumentException("optimizer state holds " + state.expAvg().size() + " parameters, the model trains "
                    + parameters.size());
        }
        for (int k = 0; k < parameters.size(); k++) {
            String name = parameters.get(k).name();
            HostTensor m = state.expAvg().get(name), v = state.expAvgSq().get(name);
            if (m == null || v == null || m.data().length != expAvg[k].size() || v.data().length != expAvgSq[k].size()) {
                throw new IllegalArgumentException("optimizer state has no moments of the right size for " + name);
            }
            long own = state.parameterSteps().getOrDefault(name, state.step());
            if (own < 0 || own > state.step()) {
                throw new IllegalArgumentException("optimizer state gives " + name + " " + own + " steps of " + state.step());
            }
            steps[k] = own;
            Backend backend = expAvg[k].backend();
            try (var scope = backend.scope()) {
                backend.copy(expAvg[k], backend.upload(m.data(), m.shape()));
                backend.copy(expAvgSq[k], backend.upload(v.data(), v.shape()));
            }
        }
        this.step = state.step();
    }
}
