/*
 * The tree-structured Parzen estimator, as Optuna's default TPESampler (5.x: multivariate, prior
 * weight 1, magic clip, no endpoints): the first n_startup_trials (10) trials are random; then the
 * finished trials (complete and pruned) split into the best γ(n) = min(⌈0.1·n⌉, 25) ("below") and
 * the rest ("above"): complete trials by value first, then pruned ones, deeper (more epochs) and
 * better last value first. A Parzen estimator l(x) is fit to the below trials' settings and g(x) to
 * the above ones'; n_ei_candidates (24) settings are drawn from l and the one with the largest
 * log l(x) − log g(x) is proposed. Failed trials are not used. Draws come from Sampler.random(seed,
 * number), so a proposal is a pure function of the seed, the number and the history.
 */
package dev.kanna.tune;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

public record TpeSampler(long seed, SearchSpace space, Direction direction, int startupTrials, int candidates)
        implements Sampler {

    /** Optuna's defaults: 10 start-up trials, 24 candidates. */
    public static TpeSampler optunaDefaults(long seed, SearchSpace space, Direction direction) {
        return new TpeSampler(seed, space, direction, 10, 24);
    }

    /** Optuna's default_gamma: how many trials count as good. */
    static int gamma(int n) {
        return Math.min((int) Math.ceil(0.1 * n), 25);
    }

    @Override
    public Map<String, Object> propose(int number, List<Trial> history) {
        SplittableRandom random = Sampler.random(seed, number);
        List<Trial> finished = history.stream().filter(t -> t.state() != Trial.State.FAILED).toList();
        if (finished.size() < startupTrials || space.parameters().isEmpty()) return RandomSampler.draw(space, random);

        List<List<Trial>> split = split(finished, gamma(finished.size()));
        List<Distribution> distributions = space.parameters().stream().map(SearchSpace.Parameter::distribution).toList();
        ParzenEstimator below = new ParzenEstimator(observations(split.get(0)), distributions);
        ParzenEstimator above = new ParzenEstimator(observations(split.get(1)), distributions);
        double[][] drawn = below.sample(random, candidates);
        int best = 0;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < drawn.length; i++) {
            double score = below.logPdf(drawn[i]) - above.logPdf(drawn[i]);
            if (score > bestScore || i == 0) {   // the first maximum, as np.argmax
                best = i;
                bestScore = score;
            }
        }
        Map<String, Object> settings = new LinkedHashMap<>();
        for (int d = 0; d < distributions.size(); d++) {
            settings.put(space.parameters().get(d).name(), distributions.get(d).external(drawn[best][d]));
        }
        return settings;
    }

    /** [below, above], each in order of trial number (Optuna's _split_trials for one objective). */
    List<List<Trial>> split(List<Trial> finished, int nBelow) {
        List<Trial> complete = new ArrayList<>(), pruned = new ArrayList<>();
        for (Trial t : finished) (t.state() == Trial.State.COMPLETE ? complete : pruned).add(t);
        Comparator<Trial> byValue = Comparator.comparingDouble(Trial::value);
        complete.sort(direction == Direction.MAXIMIZE ? byValue.reversed() : byValue);   // stable: ties by number
        pruned.sort(Comparator.comparingDouble((Trial t) -> -t.epochValues().size()).thenComparingDouble(this::prunedScore));
        List<Trial> below = new ArrayList<>(), above = new ArrayList<>();
        int fromComplete = Math.min(nBelow, complete.size());
        below.addAll(complete.subList(0, fromComplete));
        above.addAll(complete.subList(fromComplete, complete.size()));
        int fromPruned = Math.min(Math.max(0, nBelow - fromComplete), pruned.size());
        below.addAll(pruned.subList(0, fromPruned));
        above.addAll(pruned.subList(fromPruned, pruned.size()));
        below.sort(Comparator.comparingInt(Trial::number));
        above.sort(Comparator.comparingInt(Trial::number));
        return List.of(below, above);
    }

    /** A pruned trial's last value, smaller better (NaN worst); a trial pruned before any epoch sorts last. */
    private double prunedScore(Trial t) {
        if (t.epochValues().isEmpty()) return Double.POSITIVE_INFINITY;
        double v = t.epochValues().getLast();
        if (Double.isNaN(v)) return Double.POSITIVE_INFINITY;
        return direction == Direction.MINIMIZE ? v : -v;
    }

    private double[][] observations(List<Trial> trials) {
        double[][] x = new double[trials.size()][];
        for (int i = 0; i < trials.size(); i++) {
            x[i] = new double[space.parameters().size()];
            for (int d = 0; d < x[i].length; d++) {
                SearchSpace.Parameter p = space.parameters().get(d);
                x[i][d] = p.distribution().internal(trials.get(i).settings().get(p.name()));
            }
        }
        return x;
    }
}
