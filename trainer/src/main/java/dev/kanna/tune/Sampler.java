/*
 * Proposes the settings of a search's next trial. A sampler is a pure function of its seed, the
 * trial's number and the trials finished before it: no state carries from one proposal to the next,
 * so a search killed and resumed from its trials.jsonl proposes exactly what it would have.
 */
package dev.kanna.tune;

import dev.kanna.backend.DropoutRng;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

public sealed interface Sampler permits RandomSampler, TpeSampler {

    /** The settings of trial `number`, given the trials before it (in order of their numbers). */
    Map<String, Object> propose(int number, List<Trial> history);

    /** The random stream of one trial's proposal: from the seed and the trial number alone. */
    static SplittableRandom random(long seed, int number) {
        return new SplittableRandom(DropoutRng.derive(seed, 0x7E57_0000_0000L + number));
    }

    /** The sampler named on the command line: tpe or random. */
    static Sampler named(String name, long seed, SearchSpace space, Direction direction) {
        return switch (name) {
            case "tpe" -> TpeSampler.optunaDefaults(seed, space, direction);
            case "random" -> new RandomSampler(seed, space);
            default -> throw new IllegalArgumentException("--sampler: expected tpe or random, got '" + name + "'");
        };
    }
}
