/*
 * Random search: every parameter drawn independently and uniformly from its range (log-uniform for
 * log ranges), as Optuna's RandomSampler. TPE's start-up trials are exactly these draws.
 */
package dev.kanna.tune;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

public record RandomSampler(long seed, SearchSpace space) implements Sampler {

    @Override
    public Map<String, Object> propose(int number, List<Trial> history) {
        return draw(space, Sampler.random(seed, number));
    }

    static Map<String, Object> draw(SearchSpace space, SplittableRandom random) {
        Map<String, Object> settings = new LinkedHashMap<>();
        for (SearchSpace.Parameter p : space.parameters()) settings.put(p.name(), p.distribution().uniform(random));
        return settings;
    }
}
