/*
 * An ensemble directory's manifest, ensemble.json: its members (paths relative to the directory
 * where they can be, so a tree of runs can move as a whole), how their outputs combine (the
 * weighted mean of their probabilities, or a weighted majority vote) and their weights, normalised
 * to sum to 1: equal, or in proportion to each member's validation score in its metrics.json (the
 * figure that picked its best checkpoint; for a figure where lower is better, loss or mse, in
 * proportion to its inverse).
 *
 *   {"kanna_ensemble": 1, "task": "sequence-classification", "method": "mean", "weights": "validation",
 *    "metric": "macro_f1", "members": [{"path": "fold-1", "weight": 0.2013, "score": 0.9146}, ...]}
 */
package dev.kanna.trainer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.kanna.io.AtomicFiles;
import dev.kanna.task.Task;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * @param metric  the validation figure the weights come from; null for equal weights
 * @param members in the order given; weights sum to 1
 */
public record EnsembleManifest(String task, Method method, Weighting weighting, String metric, List<Member> members) {
    public static final String FILE = "ensemble.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** How members' outputs combine: the weighted mean of their probabilities, or a weighted majority vote. */
    public enum Method {
        MEAN, VOTE;

        public static Method parse(String name) {
            for (Method m : values()) if (m.toString().equals(name)) return m;
            throw new IllegalArgumentException("--method takes mean or vote, got '" + name + "'");
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Where the weights come from. */
    public enum Weighting {
        VALIDATION, EQUAL;

        public static Weighting parse(String name) {
            for (Weighting w : values()) if (w.toString().equals(name)) return w;
            throw new IllegalArgumentException("--weights takes validation or equal, got '" + name + "'");
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A member: its path (relative to the ensemble directory where possible), weight, and the score it came from. */
    public record Member(String path, double weight, Double score) {
    }

    public EnsembleManifest {
        members = List.copyOf(members);
    }

    /**
     * The manifest of an ensemble of members to be written in dir: the members are checked (one
     * task, one label set, one tokenizer: Ensemble.check) and weighted.
     */
    public static EnsembleManifest create(List<Path> members, Path dir, Weighting weighting, Method method)
            throws IOException {
        if (members.isEmpty()) throw new IllegalArgumentException("an ensemble needs at least one --model");
        List<String> names = members.stream().map(Path::toString).toList();
        Task<?, ?> task = Ensemble.check(members, names);
        if (method == Method.VOTE && !task.link().votes()) {
            throw new IllegalArgumentException("--method vote counts class decisions; " + task.name()
                    + " predicts values (use --method mean)");
        }
        double[] raw = new double[members.size()];
        Double[] scores = new Double[members.size()];
        String metric = null;
        if (weighting == Weighting.EQUAL) {
            java.util.Arrays.fill(raw, 1);
        } else {
            metric = metricForBest(members.getFirst(), names.getFirst());
            for (int m = 0; m < raw.length; m++) {
                scores[m] = validationScore(members.get(m), names.get(m), metric);
                raw[m] = weight(scores[m], task.lowerIsBetter(metric), names.get(m), metric);
            }
        }
        double total = 0;
        for (double w : raw) total += w;
        if (!(total > 0)) {
            throw new IllegalArgumentException("every member's validation " + metric + " is 0, so no member has "
                    + "weight; use --weights equal");
        }
        Path base = dir.toAbsolutePath().normalize();
        List<Member> list = new ArrayList<>();
        for (int m = 0; m < raw.length; m++) {
            list.add(new Member(relative(base, members.get(m)), raw[m] / total, scores[m]));
        }
        return new EnsembleManifest(task.name(), method, weighting, metric, list);
    }

    /** A score's weight before normalising: the score, or its inverse when lower is better; never negative. */
    private static double weight(double score, boolean lowerIsBetter, String member, String metric) {
        if (lowerIsBetter ? !(score > 0) || Double.isInfinite(score) : !(score >= 0) || Double.isInfinite(score)) {
            throw new IllegalArgumentException("member " + member + ": its validation " + metric + " is " + score
                    + ", which cannot weight a member (expected a finite value " + (lowerIsBetter ? "> 0" : "≥ 0")
                    + "); use --weights equal");
        }
        return lowerIsBetter ? 1 / score : score;
    }

    private static JsonNode metrics(Path member, String name) {
        Path file = member.resolve("metrics.json");
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("member " + name + " has no metrics.json to take its validation score "
                    + "from; use --weights equal");
        }
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": not JSON (" + e.getMessage() + ")");
        }
    }

    private static String metricForBest(Path member, String name) {
        JsonNode m = metrics(member, name).get("metric_for_best");
        if (m == null || !m.isTextual()) {
            throw new IllegalArgumentException(member.resolve("metrics.json") + ": no metric_for_best; use --weights equal");
        }
        return m.asText();
    }

    private static double validationScore(Path member, String name, String metric) {
        JsonNode validation = metrics(member, name).get("validation");
        if (validation == null || !validation.isObject()) {
            throw new IllegalArgumentException("member " + name + " was trained without validation data (no "
                    + "validation figures in its metrics.json); use --weights equal");
        }
        JsonNode score = validation.get(metric);
        if (score == null || !score.isNumber()) {
            throw new IllegalArgumentException("member " + name + ": its metrics.json has no validation " + metric
                    + " (the first member's metric_for_best); use --weights equal");
        }
        return score.asDouble();
    }

    /**
     * The member's path relative to the ensemble directory, when they share a folder below the root
     * (runs/a from runs/abc: ../a); else absolute, which stays right when the ensemble moves alone.
     */
    private static String relative(Path base, Path member) {
        Path target = member.toAbsolutePath().normalize();
        if (base.getRoot() == null || !base.getRoot().equals(target.getRoot())
                || base.getNameCount() == 0 || target.getNameCount() == 0 || !base.getName(0).equals(target.getName(0))) {
            return target.toString();
        }
        String rel = base.relativize(target).toString();
        return rel.isEmpty() ? "." : rel;
    }

    /** The members' directories, as the manifest in dir names them. */
    public List<Path> memberDirs(Path dir) {
        List<Path> dirs = new ArrayList<>();
        for (Member m : members) dirs.add(dir.resolve(m.path()).normalize());
        return dirs;
    }

    /** The members' weights, in order. */
    public double[] weights() {
        return members.stream().mapToDouble(Member::weight).toArray();
    }

    public static boolean isIn(Path dir) {
        return Files.isRegularFile(dir.resolve(FILE));
    }

    /** Reads dir/ensemble.json; anything malformed is one line naming the file and the field. */
    public static EnsembleManifest read(Path dir) throws IOException {
        Path file = dir.resolve(FILE);
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": not JSON (" + e.getMessage() + ")");
        }
        if (root == null || !root.isObject() || root.path("kanna_ensemble").asInt() != 1) {
            throw new IllegalArgumentException(file + ": not a Kanna ensemble manifest (expected \"kanna_ensemble\": 1)");
        }
        Method method;
        Weighting weighting;
        try {
            method = Method.parse(root.path("method").asText());
            weighting = Weighting.parse(root.path("weights").asText());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage().replace("--", ""));
        }
        JsonNode members = root.get("members");
        if (members == null || !members.isArray() || members.isEmpty()) {
            throw new IllegalArgumentException(file + ": \"members\" must be a non-empty array");
        }
        List<Member> list = new ArrayList<>();
        double total = 0;
        for (int m = 0; m < members.size(); m++) {
            JsonNode member = members.get(m);
            JsonNode path = member.get("path"), weight = member.get("weight");
            if (path == null || !path.isTextual() || weight == null || !weight.isNumber() || !(weight.asDouble() >= 0)) {
                throw new IllegalArgumentException(file + ": members[" + m + "] needs a \"path\" and a \"weight\" ≥ 0");
            }
            JsonNode score = member.get("score");
            list.add(new Member(path.asText(), weight.asDouble(), score != null && score.isNumber() ? score.asDouble() : null));
            total += weight.asDouble();
        }
        if (Math.abs(total - 1) > 1e-6) {
            throw new IllegalArgumentException(file + ": the members' weights sum to " + total + ", not 1");
        }
        String metric = root.hasNonNull("metric") ? root.get("metric").asText() : null;
        return new EnsembleManifest(root.path("task").asText(), method, weighting, metric, list);
    }

    /** Writes dir/ensemble.json atomically. */
    public void write(Path dir) throws IOException {
        AtomicFiles.writeString(dir.resolve(FILE), JSON.writeValueAsString(toJson()));
    }

    public Map<String, Object> toJson() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("kanna_ensemble", 1);
        out.put("task", task);
        out.put("method", method.toString());
        out.put("weights", weighting.toString());
        out.put("metric", metric);
        List<Map<String, Object>> list = new ArrayList<>();
        for (Member m : members) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("path", m.path());
            e.put("weight", m.weight());
            if (m.score() != null) e.put("score", m.score());
            list.add(e);
        }
        out.put("members", list);
        return out;
    }
}
