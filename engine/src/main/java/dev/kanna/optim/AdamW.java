/*
 * torch.optim.AdamW over the trainable parameters. Backend.adamw does the per-element math in
 * torch's order; this class keeps the step count and the moments (allocated for trainable
 * parameters only) and applies weight decay only where transformers' Trainer does (not to biases
 * and LayerNorm weights: Parameter.decays()). The learning rate comes from the caller each step
 * (the schedule's value before the step, as torch's LambdaLR).
 */
package dev.kanna.optim;

import dev.kanna.autograd.Parameter;
import dev.kanna.backend.Backend;
import dev.kanna.tensor.HostTensor;
import dev.kanna.tensor.Tensor;

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

    /** Optimizer state for a checkpoint: steps taken, first and second moments by parameter name. */
    public record State(long step, Map<String, HostTensor> expAvg, Map<String, HostTensor> expAvgSq) {
    }

    private final List<Parameter> parameters;
    private final Options options;
    private final Tensor[] expAvg;      // m, one per parameter, its shape
    private final Tensor[] expAvgSq;    // v, one per parameter, its shape
    private long step;

    /** Allocates zeroed moments for each (trainable) parameter; call outside any backend scope. */
    public AdamW(List<Parameter> trainable, Options options) {
        this.parameters = List.copyOf(trainable);
        this.options = options;
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

    /** One update of every parameter from its gradient at learning rate lr; then the step count is one higher. */
    public void step(double lr) {
        step++;
        for (int k = 0; k < parameters.size(); k++) {
            Parameter p = parameters.get(k);
            double decay = p.decays() ? options.weightDecay() : 0.0;
            p.value().backend().adamw(p.value(), p.grad(), expAvg[k], expAvgSq[k], lr, options.beta1(), options.beta2(),
                    options.eps(), decay, step);
        }
    }

    /** Sets every gradient to zero (gradients accumulate across backward passes until then). */
    public void zeroGrad() {
        for (Parameter p : parameters) p.value().backend().fill(p.grad(), 0f);
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
        for (int k = 0; k < parameters.size(); k++) {
            Backend backend = expAvg[k].backend();
            String name = parameters.get(k).name();
            m.put(name, new HostTensor(expAvg[k].shape(), backend.download(expAvg[k])));
            v.put(name, new HostTensor(expAvgSq[k].shape(), backend.download(expAvgSq[k])));
        }
        return new State(step, m, v);
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
            Backend backend = expAvg[k].backend();
            try (var scope = backend.scope()) {
                backend.copy(expAvg[k], backend.upload(m.data(), m.shape()));
                backend.copy(expAvgSq[k], backend.upload(v.data(), v.shape()));
            }
        }
        this.step = state.step();
    }
}
