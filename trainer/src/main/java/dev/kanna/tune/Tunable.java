/*
 * The training settings a search can vary, under the names a space file uses: what kind of value
 * each takes, which values make sense, the `kanna train` options that fix it (given on the tune
 * command line, it is not searched), how a value becomes train's flags (the best trial as a ready
 * command line) and how it changes a run's TrainOptions.
 */
package dev.kanna.tune;

import dev.kanna.train.LayerwiseTraining;
import dev.kanna.trainer.TrainOptions;

import java.util.List;
import java.util.Locale;
import java.util.Map;

public enum Tunable {
    LR("lr", Kind.FLOAT, List.of("--lr"), "> 0"),
    BATCH_SIZE("batch_size", Kind.INT, List.of("--batch-size"), "≥ 1"),
    EPOCHS("epochs", Kind.NUMBER, List.of("--epochs", "--max-steps"), "> 0"),
    UNFREEZE_TOP("unfreeze_top", Kind.INT, List.of("--unfreeze-top", "--unfreeze", "--unfreeze-pattern"), "in [0, the model's layers]"),
    WARMUP_RATIO("warmup_ratio", Kind.FLOAT, List.of("--warmup-ratio", "--warmup-steps"), "in [0, 1]"),
    WEIGHT_DECAY("weight_decay", Kind.FLOAT, List.of("--weight-decay"), "≥ 0"),
    DROPOUT("dropout", Kind.BOOLEAN, List.of("--no-dropout"), "true or false"),
    LAYER_LR_DECAY("layer_lr_decay", Kind.FLOAT, List.of("--layer-lr-decay"), "in (0, 1]"),
    LABEL_SMOOTHING("label_smoothing", Kind.FLOAT, List.of("--label-smoothing"), "in [0, 1)"),
    HEAD_LR("head_lr", Kind.FLOAT, List.of("--head-lr"), "> 0");

    /** The values a setting takes: floats, whole numbers, either, or true/false. */
    enum Kind { FLOAT, INT, NUMBER, BOOLEAN }

    private final String key;
    private final Kind kind;
    private final List<String> fixedBy;
    private final String domain;

    Tunable(String key, Kind kind, List<String> fixedBy, String domain) {
        this.key = key;
        this.kind = kind;
        this.fixedBy = fixedBy;
        this.domain = domain;
    }

    /** The name in a space file, trials.jsonl and best.json. */
    public String key() {
        return key;
    }

    Kind kind() {
        return kind;
    }

    /** The train options that fix this setting when given. */
    public List<String> fixedBy() {
        return fixedBy;
    }

    /** What a valid value is, in words ("> 0"). */
    String domain() {
        return domain;
    }

    public static Tunable byKey(String key) {
        for (Tunable t : values()) if (t.key.equals(key)) return t;
        return null;
    }

    public static List<String> keys() {
        return java.util.Arrays.stream(values()).map(Tunable::key).toList();
    }

    /** Whether value is a valid setting for a model of `layers` encoder layers. */
    boolean valid(double v, int layers) {
        return switch (this) {
            case LR, HEAD_LR, EPOCHS -> v > 0 && Double.isFinite(v);
            case BATCH_SIZE -> v >= 1;
            case UNFREEZE_TOP -> v >= 0 && v <= layers;
            case WARMUP_RATIO -> v >= 0 && v <= 1;
            case WEIGHT_DECAY -> v >= 0 && Double.isFinite(v);
            case LAYER_LR_DECAY -> v > 0 && v <= 1;
            case LABEL_SMOOTHING -> v >= 0 && v < 1;
            case DROPOUT -> true;
        };
    }

    /** The `kanna train` flags that set this value (dropout on: none, it is train's default). */
    public List<String> flags(Object value) {
        return switch (this) {
            case DROPOUT -> (Boolean) value ? List.of() : List.of("--no-dropout");
            default -> List.of(fixedBy.getFirst(), format(value));
        };
    }

    /** Sets this value among a run's option components (TrainOptions' record components by name). */
    void apply(Map<String, Object> changes, TrainOptions base, Object value) {
        switch (this) {
            case LR -> changes.put("lr", number(value));
            case BATCH_SIZE -> changes.put("batchSize", (int) number(value));
            case EPOCHS -> changes.put("epochs", number(value));
            case UNFREEZE_TOP -> {
                changes.put("unfreezeTop", (int) number(value));
                changes.put("unfreeze", null);
                changes.put("unfreezePattern", null);
            }
            case WARMUP_RATIO -> changes.put("warmupRatio", number(value));
            case WEIGHT_DECAY -> changes.put("weightDecay", number(value));
            case DROPOUT -> changes.put("dropout", (Boolean) value);
            case LAYER_LR_DECAY, HEAD_LR -> {
                LayerwiseTraining now = (LayerwiseTraining) changes.getOrDefault("layerwise", base.layerwise());
                changes.put("layerwise", this == LAYER_LR_DECAY
                        ? new LayerwiseTraining(number(value), now.headLr(), now.gradualUnfreeze())
                        : new LayerwiseTraining(now.layerLrDecay(), number(value), now.gradualUnfreeze()));
            }
            case LABEL_SMOOTHING -> changes.put("labelSmoothing", number(value));
        }
    }

    private static double number(Object value) {
        return ((Number) value).doubleValue();
    }

    /** A value as a flag's argument: integers plainly, floats in Java's shortest exact form (the run is reproduced bitwise). */
    static String format(Object value) {
        if (value instanceof Double d) return d == Math.rint(d) && Math.abs(d) < 1e15 ? String.valueOf(d.longValue())
                : Double.toString(d).toLowerCase(Locale.ROOT);
        return String.valueOf(value);
    }
}
