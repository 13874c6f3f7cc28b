/*
 * Several fine-tuned models of one task answering as one (a Predictor, as one model is). Every
 * member runs on one shared backend, one after another, over inputs tokenized once (the members
 * share one tokenizer) and batched once; their outputs combine row by row through the task's link
 * (Link): the weighted mean of their probabilities, or a weighted majority vote of their decisions.
 * The task's own metrics and predictions then read the combined outputs as they read one model's;
 * token classification combines per-token probabilities before entities are decoded. So an
 * ensemble costs the sum of its members' forward passes, and nothing more.
 *
 *   try (Predictor m = Predictor.load(Path.of("runs/cv"), "auto", 0, 0, System.err::println)) {
 *       m.predict(List.of(Example.unlabelled("WIN a FREE prize", null, 1)), 32);
 *   }
 */
package dev.kanna.trainer;

import dev.kanna.backend.Backend;
import dev.kanna.backend.BackendOptions;
import dev.kanna.backend.Backends;
import dev.kanna.bert.Batch;
import dev.kanna.bert.BertConfig;
import dev.kanna.bert.TaskModel;
import dev.kanna.data.Example;
import dev.kanna.report.ProgressBar;
import dev.kanna.task.DataOptions;
import dev.kanna.task.Evaluation;
import dev.kanna.task.Outputs;
import dev.kanna.task.Task;
import dev.kanna.task.TaskData;
import dev.kanna.task.Tasks;
import dev.kanna.tokenizer.BertTokenizer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

public final class Ensemble implements Predictor {

    /** One member's evaluation on the data the ensemble was evaluated on; name as the manifest gives its path. */
    public record MemberEvaluation(String name, double weight, Evaluation evaluation) {
    }

    private final Backend backend;
    private final List<FineTunedModel> members;
    private final List<String> names;
    private final double[] weights;       // (M) summing to 1
    private final boolean vote;
    private final Task<?, ?> task;        // as the ensemble decides (Task.ensembled)
    private final int maxLength;

    private Ensemble(Backend backend, List<FineTunedModel> members, List<String> names, double[] weights, boolean vote) {
        this.backend = backend;
        this.members = List.copyOf(members);
        this.names = List.copyOf(names);
        this.weights = weights.clone();
        this.vote = vote;
        this.task = members.getFirst().task().ensembled(members.stream().map(FineTunedModel::task).toList(), weights, vote);
        this.maxLength = members.stream().mapToInt(FineTunedModel::maxLength).min().orElseThrow();
    }

    /** Whether dir is an ensemble directory (it holds ensemble.json). */
    public static boolean isEnsemble(Path dir) {
        return EnsembleManifest.isIn(dir);
    }

    /** The ensemble an ensemble directory describes; its members are checked again (they may have changed since). */
    public static Ensemble load(Path dir, String device, int threads, int maxLength, Consumer<String> log)
            throws IOException {
        EnsembleManifest manifest = EnsembleManifest.read(dir);
        List<String> names = manifest.members().stream().map(EnsembleManifest.Member::path).toList();
        Task<?, ?> task = check(manifest.memberDirs(dir), names);
        if (!task.name().equals(manifest.task())) {
            throw new IllegalArgumentException(dir.resolve(EnsembleManifest.FILE) + ": says task " + manifest.task()
                    + ", but its members are " + task.name() + " models");
        }
        return open(manifest.memberDirs(dir), names, manifest.weights(), manifest.method(), device, threads, maxLength, log);
    }

    /**
     * An ensemble of model directories held in memory only (cross-validation evaluates its folds so).
     *
     * @param weights (M) summing to 1
     */
    public static Ensemble open(List<Path> dirs, List<String> names, double[] weights, EnsembleManifest.Method method,
                                String device, int threads, int maxLength, Consumer<String> log) throws IOException {
        check(dirs, names);
        Backend backend = Backends.open(device, new BackendOptions(threads, true), log);
        try {
            List<FineTunedModel> models = new ArrayList<>();
            for (Path dir : dirs) models.add(FineTunedModel.load(dir, backend, maxLength, log));
            return new Ensemble(backend, models, names, weights, method == EnsembleManifest.Method.VOTE);
        } catch (IOException | RuntimeException e) {
            backend.close();
            throw e;
        }
    }

    /**
     * Checks that model directories can form an ensemble: each a fine-tuned model (not an ensemble,
     * not a masked LM), all of one task, one label set in one order, one tokenizer (the same
     * vocabulary and normalizer). The first that cannot is one line naming it. Returns the task.
     */
    public static Task<?, ?> check(List<Path> dirs, List<String> names) throws IOException {
        Task<?, ?> first = null;
        BertConfig firstConfig = null;
        BertTokenizer firstTokenizer = null;
        for (int m = 0; m < dirs.size(); m++) {
            Path dir = dirs.get(m);
            String name = names.get(m);
            if (isEnsemble(dir)) {
                throw new IllegalArgumentException("member " + name + " is itself an ensemble; give its members instead");
            }
            try {
                ModelDirectory.requireTrainable(dir);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("member " + e.getMessage());
            }
            BertConfig config = BertConfig.read(dir.resolve("config.json"));
            Task<?, ?> task = Tasks.of(config, dir);
            try {
                task.link();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("member " + name + ": " + e.getMessage());
            }
            BertTokenizer tokenizer = BertTokenizer.load(dir);
            if (first == null) {
                first = task;
                firstConfig = config;
                firstTokenizer = tokenizer;
                continue;
            }
            String firstName = names.getFirst();
            if (!task.name().equals(first.name())) {
                throw new IllegalArgumentException("member " + name + " is a " + task.name() + " model, " + firstName
                        + " a " + first.name() + " one; an ensemble's members share one task");
            }
            if (!config.labels().equals(firstConfig.labels())) {
                throw new IllegalArgumentException("member " + name + " has the labels " + config.labels() + ", "
                        + firstName + " " + firstConfig.labels() + "; an ensemble's members share one label set, in one order");
            }
            String difference = difference(firstTokenizer, tokenizer);
            if (difference != null) {
                throw new IllegalArgumentException("member " + name + ": its tokenizer differs from " + firstName
                        + "'s (" + difference + "); an ensemble's members share one tokenizer");
            }
        }
        if (first == null) throw new IllegalArgumentException("an ensemble needs at least one member");
        return first;
    }

    /** How tokenizer b differs from a (vocabulary, then normalizer), or null when they encode alike. */
    static String difference(BertTokenizer a, BertTokenizer b) {
        if (a.vocabSize() != b.vocabSize()) {
            return "a vocabulary of " + b.vocabSize() + " tokens, not " + a.vocabSize();
        }
        for (int id = 0; id < a.vocabSize(); id++) {
            String x = a.idToToken(id).orElse(null), y = b.idToToken(id).orElse(null);
            if (!java.util.Objects.equals(x, y)) return "token " + id + " is '" + y + "', not '" + x + "'";
        }
        if (!a.normalizerOptions().equals(b.normalizerOptions())) {
            return "normalizer " + b.normalizerOptions().map(Object::toString).orElse("none") + ", not "
                    + a.normalizerOptions().map(Object::toString).orElse("none");
        }
        return null;
    }

    @Override
    public Task<?, ?> task() {
        return task;
    }

    @Override
    public List<String> labels() {
        return members.getFirst().labels();
    }

    @Override
    public BertTokenizer tokenizer() {
        return members.getFirst().tokenizer();
    }

    /** The smallest of the members' lengths. */
    @Override
    public int maxLength() {
        return maxLength;
    }

    @Override
    public DataOptions dataOptions(DataOptions given) {
        return given.withMaxLength(maxLength);
    }

    /** The members' names (paths as the manifest gives them) and weights, in order. */
    public List<String> names() {
        return names;
    }

    public double[] weights() {
        return weights.clone();
    }

    public boolean votes() {
        return vote;
    }

    /** The first member's config (every member has the same labels and vocabulary). */
    public BertConfig config() {
        return members.getFirst().model().config();
    }

    /** K: outputs per sequence or per token. */
    public int numOutputs() {
        return members.getFirst().model().numOutputs();
    }

    public boolean perToken() {
        return members.getFirst().model().perToken();
    }

    /** The combined outputs of a batch, row-major (B, K) or (B, T, K) as one model's: each member runs on it in turn. */
    public float[] outputs(Batch batch) {
        float[][] each = new float[members.size()][];
        for (int m = 0; m < each.length; m++) each[m] = members.get(m).model().outputs(batch);
        return combine(each);
    }

    /** One example's (or batch's) member outputs, each (rows · K), combined into the ensemble's. */
    private float[] combine(float[][] memberOutputs) {
        int k = numOutputs();
        if (!vote) return task.link().mean(memberOutputs, weights, k);
        float[][] decisions = new float[memberOutputs.length][];
        for (int m = 0; m < decisions.length; m++) {
            decisions[m] = members.get(m).task().decisions(memberOutputs[m], labels());
        }
        return task.link().vote(decisions, weights, k);
    }

    /** [member][example] → [example], combined. */
    private float[][] combineAll(float[][][] outputs) {
        int n = outputs[0].length;
        float[][] combined = new float[n][];
        float[][] each = new float[outputs.length][];
        for (int i = 0; i < n; i++) {
            for (int m = 0; m < outputs.length; m++) each[m] = outputs[m][i];
            combined[i] = combine(each);
        }
        return combined;
    }

    private List<TaskModel> models() {
        return members.stream().map(FineTunedModel::model).toList();
    }

    @Override
    public List<Map<String, Object>> predict(List<Example> inputs, int batchSize) {
        return predict(task, inputs, batchSize);
    }

    private <R, E extends TaskData> List<Map<String, Object>> predict(Task<R, E> t, List<Example> inputs, int batchSize) {
        E data = t.encodeInputs(tokenizer(), inputs, DataOptions.defaults(maxLength));
        return t.predictions(data, combineAll(Outputs.collect(models(), data, batchSize, null)), labels());
    }

    @Override
    public Evaluation evaluate(Path file, DataOptions options, int batchSize, boolean showProgress) {
        return evaluate(task, file, dataOptions(options), batchSize, showProgress, false).evaluation();
    }

    /** The ensemble's evaluation, its errors, and each member's evaluation on the same data. */
    @Override
    public FineTunedModel.Report evaluateWithErrors(Path file, DataOptions options, int batchSize, boolean showProgress) {
        return evaluate(task, file, dataOptions(options), batchSize, showProgress, true);
    }

    @SuppressWarnings("unchecked")   // every member's task is the ensemble's task class (check)
    private <R, E extends TaskData> FineTunedModel.Report evaluate(Task<R, E> t, Path file, DataOptions options,
                                                                   int batchSize, boolean showProgress, boolean errors) {
        List<R> rows = t.read(file, options);
        E data = t.encode(tokenizer(), rows, labels(), options, file);
        float[][][] outputs;
        if (showProgress) {
            try (ProgressBar bar = new ProgressBar("evaluate", data.size(), "sequences")) {
                outputs = Outputs.collect(models(), data, batchSize, bar);
            }
        } else {
            outputs = Outputs.collect(models(), data, batchSize, null);
        }
        List<MemberEvaluation> each = new ArrayList<>();
        for (int m = 0; m < members.size(); m++) {
            Task<R, E> own = (Task<R, E>) members.get(m).task();
            each.add(new MemberEvaluation(names.get(m), weights[m], own.evaluate(data, outputs[m], labels())));
        }
        float[][] combined = combineAll(outputs);
        Evaluation eval = t.evaluate(data, combined, labels());
        if (vote) eval = new Evaluation(Double.NaN, eval.rows(), eval.metrics());   // votes are no probabilities: no loss
        return new FineTunedModel.Report(eval, errors ? t.errors(rows, data, combined, labels()) : null, each);
    }

    @Override
    public void close() {
        for (FineTunedModel m : members) m.close();
        backend.close();
    }
}
