/*
 * The shared steps of loading any BERT architecture: check the config can describe a model, build
 * the modules from the weight source, and report in one warning line the head tensors that started
 * fresh because the checkpoint lacks them.
 */
package dev.kanna.bert;

import dev.kanna.backend.Backend;

import java.util.List;
import java.util.function.Function;

final class ModelLoading {
    private ModelLoading() {
    }

    static <M> M load(WeightSource source, BertConfig config, Backend backend, LoadOptions options,
                      Function<Weights, M> build) {
        Weights weights = new Weights(source, backend, config.initializerRange(), options.seed());
        M model = build.apply(weights);
        List<String> fresh = weights.initialised();
        if (!fresh.isEmpty()) {
            options.warnings().accept(source.origin() + ": no weights for " + String.join(", ", fresh)
                    + "; initialised fresh (normal(0, " + config.initializerRange() + ") weights, zero biases, seed "
                    + options.seed() + "): train before use");
        }
        return model;
    }
}
