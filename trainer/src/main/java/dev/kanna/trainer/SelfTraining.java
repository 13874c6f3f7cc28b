/*
 * Self-training (train --unlabeled FILE --self-training ROUNDS): round 0 trains on the labelled
 * data; each later round r labels the unlabelled text with round r−1's model (and only it), keeps
 * the confident predictions in the labelled data's class shares, and trains again, from the base
 * model, on the labelled rows plus these pseudo-labelled ones. Every round is a whole Trainer run
 * in OUT/round-r (checkpoints, log, record, its own validation), so rounds resume as single runs
 * do and a resumed self-training run ends bitwise where an uninterrupted one ends:
 *
 *   OUT/round-0/                  the labelled data alone
 *   OUT/pseudo-labels-1.jsonl     round 0's model's confident, class-balanced predictions
 *   OUT/round-1/                  labelled + pseudo-labels-1
 *   ...
 *   OUT/self_training.json        settings, each round's pseudo-labels and validation figures, the best round
 *   OUT/config.json, model.safetensors, ...   the best round's model (by --metric-for-best; ties: the earlier)
 *
 * Why from the base model each round, not on from the last: a student trained afresh does not
 * inherit the teacher's overfitting to its own pseudo-labels (classic self-training, and Du et al.
 * 2021, "Self-training Improves Pre-training for Natural Language Understanding").
 *
 * Sequence classification only: its prediction is one class with a probability to threshold. Token
 * classification (per-token confidence, partial sentences), multi-label (a threshold per label) and
 * regression (no confidence) would each need their own rule for what a confident prediction is.
 */
package dev.kanna.trainer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kanna.data.DatasetException;
import dev.kanna.data.Example;
import dev.kanna.data.TextCorpus;
import dev.kanna.io.AtomicFiles;
import dev.kanna.task.SequenceClassification;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

public final class SelfTraining {
    public static final double DEFAULT_CONFIDENCE = 0.9;
    static final String RECORD = "self_training.json";
    private static final ObjectMapper JSON = TrainingOutputs.JSON;

    /**
     * @param unlabeled  unlabelled domain text: a text per line, or JSONL with the text field
     * @param rounds     rounds after round 0, ≥ 1
     * @param confidence the least probability a kept prediction has, in (0, 1)
     */
    public record Settings(Path unlabeled, int rounds, double confidence) {
        public Settings {
            if (rounds < 1) throw new IllegalArgumentException("--self-training must be ≥ 1 round, got " + rounds);
            if (!(confidence > 0 && confidence < 1)) {
                throw new IllegalArgumentException("--confidence must be in (0, 1), got " + confidence);
            }
        }
    }

    /** A prediction on an unlabelled row: its 0-based row, label and probability. */
    public record Prediction(int row, String label, double probability) {
    }

    /**
     * One round: its pseudo-labels (round 0: none) and the validation figures of its model.
     *
     * @param confident per label, the predictions at or above the confidence (round 0: empty)
     * @param kept      per label, the pseudo-labels kept (round 0: empty)
     */
    public record Round(int round, Path dir, Map<String, Long> confident, Map<String, Long> kept,
                        Map<String, Object> validation, double metric) {
    }

    /** The rounds run (fewer than asked when a round kept no pseudo-labels), the best one, its model copied to out. */
    public record Result(Path out, List<Round> rounds, int bestRound, String metric) {
        public Round best() {
            return rounds.get(bestRound);
        }
    }

    private final TrainOptions o;
    private final Settings s;
    private final List<String> commandLine;
    private final Consumer<String> log;

    public SelfTraining(TrainOptions options, Settings settings, List<String> commandLine, Consumer<String> log) {
        this.o = options;
        this.s = settings;
        this.commandLine = commandLine;
        this.log = log;
    }

    public Result run() throws IOException {
        if (!(o.taskObject() instanceof SequenceClassification task)) {
            throw new IllegalArgumentException("--self-training applies to sequence-classification (a predicted class"
                    + " with a probability to threshold), not to " + o.task());
        }
        if (o.validation() == null) throw new IllegalArgumentException("--self-training needs --validation data to pick the best round");
        if (o.fields().textPair() != null) throw new IllegalArgumentException("--self-training labels single texts; --text-pair-field is not supported");
        if (o.tuneThresholds() || o.masking() != null) throw new IllegalArgumentException("--self-training trains sequence classification only");
        List<Example> unlabeled = TextCorpus.read(s.unlabeled(), TextCorpus.isJsonl(s.unlabeled()) ? o.fields().text() : null);
        Map<String, Long> shares = labelledCounts(task);
        String unlabeledSha = TrainingOutputs.sha256(s.unlabeled());
        prepareOutput(unlabeledSha);

        List<Round> rounds = new ArrayList<>();
        for (int r = 0; r <= s.rounds(); r++) {
            Path dir = o.out().resolve("round-" + r), pseudo = null;
            Map<String, Long> confident = Map.of(), kept = Map.of();
            if (r > 0) {
                pseudo = o.out().resolve("pseudo-labels-" + r + ".jsonl");
                List<Prediction> predictions = predict(o.out().resolve("round-" + (r - 1)), unlabeled);
                List<Prediction> chosen = select(predictions, shares, s.confidence());
                confident = countByLabel(predictions.stream().filter(p -> p.probability() >= s.confidence()).toList());
                kept = countByLabel(chosen);
                log.accept(String.format(Locale.ROOT, "self-training round %d: round %d's model labelled %d texts, %d at"
                                + " probability ≥ %s %s; kept %d in the labelled data's class shares %s", r, r - 1,
                        predictions.size(), confident.values().stream().mapToLong(Long::longValue).sum(), s.confidence(),
                        confident, chosen.size(), kept));
                if (chosen.isEmpty()) {
                    log.accept("self-training stops after round " + (r - 1) + ": no pseudo-labels to add (a class has no"
                            + " prediction at probability ≥ " + s.confidence() + ")");
                    break;
                }
                writePseudoLabels(pseudo, unlabeled, chosen);
            }
            Map<String, Object> validation = trainRound(r, dir, pseudo);
            Object value = validation.get(o.metricForBest());
            rounds.add(new Round(r, dir, confident, kept, validation, ((Number) value).doubleValue()));
            log.accept(String.format(Locale.ROOT, "self-training round %d: validation %s %.4f", r, o.metricForBest(),
                    rounds.getLast().metric()));
            writeRecord(unlabeledSha, unlabeled.size(), rounds, null);
        }
        int best = 0;
        boolean lower = o.taskObject().lowerIsBetter(o.metricForBest());
        for (int r = 1; r < rounds.size(); r++) {
            double v = rounds.get(r).metric(), b = rounds.get(best).metric();
            if (lower ? v < b : v > b) best = r;
        }
        copyModel(rounds.get(best).dir());
        writeRecord(unlabeledSha, unlabeled.size(), rounds, best);
        log.accept(String.format(Locale.ROOT, "self-training: best round %d (%s %.4f); its model saved to %s", best,
                o.metricForBest(), rounds.get(best).metric(), o.out()));
        return new Result(o.out(), rounds, best, o.metricForBest());
    }

    /**
     * Keeps, of the predictions at or above the confidence, as many per class as the labelled data's
     * class shares allow: with L labelled rows, L_c of class c, and C_c confident predictions of c,
     * n = min over c of ⌊C_c·L / L_c⌋ rows in all, ⌊n·L_c / L⌋ of class c, its most probable ones
     * (ties: the earlier row). So pseudo-labels never shift the class prior the labelled data shows,
     * and a class without a confident prediction means none are kept. Returned in row order.
     */
    public static List<Prediction> select(List<Prediction> predictions, Map<String, Long> labelledCounts, double confidence) {
        long total = labelledCounts.values().stream().mapToLong(Long::longValue).sum();
        Map<String, List<Prediction>> confident = new TreeMap<>();
        for (String label : labelledCounts.keySet()) confident.put(label, new ArrayList<>());
        for (Prediction p : predictions) {
            if (p.probability() >= confidence && confident.containsKey(p.label())) confident.get(p.label()).add(p);
        }
        long n = Long.MAX_VALUE;
        for (var e : labelledCounts.entrySet()) n = Math.min(n, confident.get(e.getKey()).size() * total / e.getValue());
        List<Prediction> kept = new ArrayList<>();
        for (var e : labelledCounts.entrySet()) {
            List<Prediction> ranked = new ArrayList<>(confident.get(e.getKey()));
            ranked.sort(Comparator.comparingDouble(Prediction::probability).reversed().thenComparingInt(Prediction::row));
            kept.addAll(ranked.subList(0, (int) (n * e.getValue() / total)));
        }
        kept.sort(Comparator.comparingInt(Prediction::row));
        return kept;
    }

    /** The labelled rows per label, as the round-0 run reads them (--limit-train applied). */
    private Map<String, Long> labelledCounts(SequenceClassification task) {
        List<Example> rows = new ArrayList<>();
        for (Path file : o.trainFiles()) rows.addAll(task.read(file, o.dataOptions()));
        if (o.limitTrain() > 0 && o.limitTrain() < rows.size()) rows = rows.subList(0, o.limitTrain());
        Map<String, Long> counts = new TreeMap<>();
        for (Example e : rows) counts.merge(e.label(), 1L, Long::sum);
        return counts;
    }

    /** The model in dir's prediction for every unlabelled row. */
    private List<Prediction> predict(Path dir, List<Example> unlabeled) throws IOException {
        try (FineTunedModel model = FineTunedModel.load(dir, o.device(), o.threads(), o.maxLength(), log)) {
            List<Map<String, Object>> out = model.predict(unlabeled, o.evalBatchSize());
            List<Prediction> predictions = new ArrayList<>(out.size());
            for (int i = 0; i < out.size(); i++) {
                predictions.add(new Prediction(i, (String) out.get(i).get("label"), ((Number) out.get(i).get("score")).doubleValue()));
            }
            return predictions;
        }
    }

    private static Map<String, Long> countByLabel(List<Prediction> predictions) {
        Map<String, Long> counts = new TreeMap<>();
        for (Prediction p : predictions) counts.merge(p.label(), 1L, Long::sum);
        return counts;
    }

    /** The pseudo-labelled rows as training data: the text and label fields the labelled data uses, with the row's line and probability. */
    private void writePseudoLabels(Path file, List<Example> unlabeled, List<Prediction> chosen) throws IOException {
        StringBuilder sb = new StringBuilder();
        ObjectMapper compact = new ObjectMapper();
        for (Prediction p : chosen) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put(o.fields().text(), unlabeled.get(p.row()).text());
            row.put(o.fields().label(), p.label());
            row.put("unlabeled_line", unlabeled.get(p.row()).line());
            row.put("probability", p.probability());
            sb.append(compact.writeValueAsString(row)).append('\n');
        }
        AtomicFiles.writeString(file, sb.toString());
    }

    /**
     * Runs round r's training in dir, or finds it done (its training record written last); resumes a
     * round killed after a checkpoint, and restarts one killed before any. Returns its model's validation figures.
     */
    private Map<String, Object> trainRound(int r, Path dir, Path pseudo) throws IOException {
        Path metrics = dir.resolve("metrics.json");
        if (!Files.exists(dir.resolve("training_record.json")) || !Files.exists(metrics)) {
            boolean resumable = Files.isDirectory(dir) && Checkpoints.newest(dir).isPresent();
            boolean leftover = Files.exists(dir) && !resumable;
            log.accept("self-training round " + r + ": " + (resumable ? "resuming its training in " : "training in ") + dir
                    + (pseudo == null ? " on the labelled data" : " on the labelled data and " + pseudo.getFileName()));
            new Trainer(o.forRound(dir, pseudo, resumable, leftover), commandLine,
                    line -> log.accept("round " + r + ": " + line)).run();
        } else {
            log.accept("self-training round " + r + ": done earlier in " + dir);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> validation = (Map<String, Object>) JSON.readValue(metrics.toFile(), Map.class).get("validation");
        if (validation == null || !(validation.get(o.metricForBest()) instanceof Number)) {
            throw new IllegalStateException(metrics + " holds no validation " + o.metricForBest());
        }
        return validation;
    }

    /** Checks OUT as train does (and that a resumed run is this one), then creates it. */
    private void prepareOutput(String unlabeledSha) throws IOException {
        Path out = o.out(), record = out.resolve(RECORD);
        if (o.resume()) {
            if (!Files.isRegularFile(record)) {
                throw new IllegalArgumentException("--resume: " + out + " holds no self-training run (no " + RECORD + ")");
            }
            JsonNode saved = JSON.readTree(record.toFile());
            if (!unlabeledSha.equals(saved.at("/unlabeled/sha256").asText())) {
                throw new IllegalArgumentException("--resume: the unlabelled text " + s.unlabeled() + " is not what "
                        + out + " was self-trained on");
            }
            if (saved.get("confidence").asDouble() != s.confidence()) {
                throw new IllegalArgumentException("--resume: " + out + " was self-trained with --confidence "
                        + saved.get("confidence").asDouble() + ", now " + s.confidence());
            }
            return;
        }
        boolean replaces;
        try (var list = Files.isDirectory(out) ? Files.list(out) : null) {
            replaces = Files.exists(out) && (list == null || list.findAny().isPresent());
        }
        if (replaces && !o.overwrite()) {
            throw new IllegalArgumentException(out + " already exists (use --overwrite to replace it, or --resume"
                    + " to continue the run it holds)");
        }
        if (replaces) {
            new Trainer(o, commandLine, log).checkSafeToDelete(out);
            if (s.unlabeled().toRealPath().startsWith(out.toRealPath())) {
                throw new IllegalArgumentException("--overwrite: refusing to delete " + out + ", which holds the"
                        + " unlabelled text " + s.unlabeled() + "; choose another --out");
            }
            AtomicFiles.deleteRecursively(out);
        }
        Files.createDirectories(out);
    }

    /** Copies the best round's files (not its checkpoints) into OUT, each atomically. */
    private void copyModel(Path dir) throws IOException {
        List<Path> files;
        try (var list = Files.list(dir)) {
            files = list.filter(Files::isRegularFile).sorted().toList();
        }
        for (Path f : files) {
            byte[] bytes = Files.readAllBytes(f);
            AtomicFiles.write(o.out().resolve(f.getFileName().toString()),
                    channel -> AtomicFiles.writeFully(channel, java.nio.ByteBuffer.wrap(bytes)));
        }
    }

    private void writeRecord(String unlabeledSha, int unlabeledRows, List<Round> rounds, Integer best) throws IOException {
        Map<String, Object> record = new LinkedHashMap<>();
        Map<String, Object> text = new LinkedHashMap<>();
        text.put("path", s.unlabeled().toAbsolutePath().toString());
        text.put("sha256", unlabeledSha);
        text.put("rows", unlabeledRows);
        record.put("unlabeled", text);
        record.put("confidence", s.confidence());
        record.put("rounds_asked", s.rounds());
        record.put("metric_for_best", o.metricForBest());
        List<Map<String, Object>> list = new ArrayList<>();
        for (Round r : rounds) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("round", r.round());
            m.put("dir", o.out().relativize(r.dir()).toString());
            if (r.round() > 0) {
                m.put("labelled_by", "round-" + (r.round() - 1));
                m.put("pseudo_labels", "pseudo-labels-" + r.round() + ".jsonl");
                m.put("confident", r.confident());
                m.put("kept", r.kept());
            }
            m.put(o.metricForBest(), r.metric());
            m.put("validation", r.validation());
            list.add(m);
        }
        record.put("rounds", list);
        record.put("best_round", best);
        AtomicFiles.writeString(o.out().resolve(RECORD), JSON.writeValueAsString(record));
    }
}
