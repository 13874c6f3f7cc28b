/*
 * The hyperparameters a search varies, each with its range, in a fixed order (the samplers draw
 * in it). The default space is the issue's: learning rate log-uniform 1e-5..5e-4, batch size
 * {8, 16, 32}, epochs 1..5, unfreeze-top 1..all layers, warmup ratio 0..0.2, weight decay 0..0.1,
 * dropout on/off, layer-wise lr decay 0.7..1. A space file (JSON) changes it, one entry per name:
 *
 *   {"lr": {"type": "float", "low": 1e-5, "high": 1e-3, "log": true},
 *    "batch_size": {"type": "categorical", "choices": [16, 32]},
 *    "unfreeze_top": {"type": "int", "low": 1, "high": "all"},
 *    "warmup_ratio": null}
 *
 * An entry replaces that name's default range, adds a name the default leaves out (label_smoothing,
 * head_lr), or, as null, stops searching it. Every mistake is one line naming the file and the
 * parameter.
 */
package dev.kanna.tune;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

public record SearchSpace(List<Parameter> parameters) {

    /** One searched setting and its range. */
    public record Parameter(Tunable tunable, Distribution distribution) {
        public String name() {
            return tunable.key();
        }
    }

    public SearchSpace {
        parameters = List.copyOf(parameters);
    }

    /** The default space for a model of `layers` encoder layers. */
    public static SearchSpace defaults(int layers) {
        return new SearchSpace(List.of(
                new Parameter(Tunable.LR, new Distribution.FloatRange(1e-5, 5e-4, true)),
                new Parameter(Tunable.BATCH_SIZE, new Distribution.Choice(List.of(8, 16, 32))),
                new Parameter(Tunable.EPOCHS, new Distribution.IntRange(1, 5, false)),
                new Parameter(Tunable.UNFREEZE_TOP, new Distribution.IntRange(Math.min(1, layers), layers, false)),
                new Parameter(Tunable.WARMUP_RATIO, new Distribution.FloatRange(0, 0.2, false)),
                new Parameter(Tunable.WEIGHT_DECAY, new Distribution.FloatRange(0, 0.1, false)),
                new Parameter(Tunable.DROPOUT, new Distribution.Choice(List.of(true, false))),
                new Parameter(Tunable.LAYER_LR_DECAY, new Distribution.FloatRange(0.7, 1.0, false))));
    }

    public List<String> names() {
        return parameters.stream().map(Parameter::name).toList();
    }

    public Parameter get(String name) {
        for (Parameter p : parameters) if (p.name().equals(name)) return p;
        return null;
    }

    /** This space without the given names (settings the command line fixes). */
    public SearchSpace without(Set<String> names) {
        return new SearchSpace(parameters.stream().filter(p -> !names.contains(p.name())).toList());
    }

    /** The space as a space file writes it (recorded with a search, compared on --resume). */
    public Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (Parameter p : parameters) {
            Map<String, Object> d = new LinkedHashMap<>();
            switch (p.distribution()) {
                case Distribution.FloatRange f -> {
                    d.put("type", "float");
                    d.put("low", f.low());
                    d.put("high", f.high());
                    d.put("log", f.log());
                }
                case Distribution.IntRange i -> {
                    d.put("type", "int");
                    d.put("low", i.low());
                    d.put("high", i.high());
                    d.put("log", i.log());
                }
                case Distribution.Choice c -> {
                    d.put("type", "categorical");
                    d.put("choices", c.choices());
                }
            }
            m.put(p.name(), d);
        }
        return m;
    }

    /**
     * The default space (file null) or the default changed by a space file, without the settings the
     * command line fixes.
     *
     * @param fixed the settings given as train options, by name → the option (not searched; a space
     *              file naming one is an error)
     * @throws IllegalArgumentException one line naming the file and the parameter, for an unknown
     *                                  name, a wrong type, an empty range or a value out of bounds
     */
    public static SearchSpace of(Path file, int layers, Map<String, String> fixed) throws IOException {
        SearchSpace space = file == null ? defaults(layers) : read(file, layers);
        if (file != null) {
            for (String name : names(file)) {
                if (fixed.containsKey(name)) {
                    throw new IllegalArgumentException(file + ": " + name + " is searched here, but " + fixed.get(name)
                            + " on the command line fixes it; drop one of them");
                }
            }
        }
        return space.without(fixed.keySet());
    }

    /** The names a (valid) space file gives ranges to. */
    private static List<String> names(Path file) throws IOException {
        List<String> names = new ArrayList<>();
        JsonNode root = new ObjectMapper().readTree(Files.readString(file));
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isNull()) names.add(e.getKey());
        }
        return names;
    }

    /** The default space changed by a space file (the errors as for of). */
    public static SearchSpace read(Path file, int layers) throws IOException {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readString(file));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file + ": not valid JSON (" + e.getOriginalMessage() + ")");
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(file + ": expected a JSON object of parameter name → range, e.g."
                    + " {\"lr\": {\"type\": \"float\", \"low\": 1e-5, \"high\": 1e-3, \"log\": true}}");
        }
        Map<Tunable, Distribution> ranges = new LinkedHashMap<>();
        for (Parameter p : defaults(layers).parameters()) ranges.put(p.tunable(), p.distribution());
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            Tunable t = Tunable.byKey(e.getKey());
            if (t == null) {
                throw new IllegalArgumentException(file + ": unknown parameter '" + e.getKey() + "' (expected "
                        + String.join(", ", Tunable.keys()) + ")");
            }
            if (e.getValue().isNull()) ranges.remove(t);
            else ranges.put(t, new Entry(file, t, e.getValue(), layers).distribution());
        }
        List<Parameter> parameters = new ArrayList<>();
        ranges.forEach((t, d) -> parameters.add(new Parameter(t, d)));
        return new SearchSpace(parameters);
    }

    /** One entry of a space file being checked: every message starts "FILE: NAME:". */
    private record Entry(Path file, Tunable tunable, JsonNode node, int layers) {
        private static final Set<String> FIELDS = Set.of("type", "low", "high", "log", "choices");

        Distribution distribution() {
            if (!node.isObject()) throw error("expected an object like {\"type\": \"float\", \"low\": ..., \"high\": ...}");
            for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!FIELDS.contains(name)) throw error("unknown field '" + name + "' (expected type, low, high, log, choices)");
            }
            JsonNode type = node.get("type");
            if (type == null || !type.isTextual()) throw error("needs \"type\": \"float\", \"int\" or \"categorical\"");
            Distribution d = switch (type.asText()) {
                case "float" -> floatRange();
                case "int" -> intRange();
                case "categorical" -> choice();
                default -> throw error("type must be float, int or categorical, got '" + type.asText() + "'");
            };
            return d;
        }

        private Distribution floatRange() {
            if (tunable.kind() == Tunable.Kind.INT || tunable.kind() == Tunable.Kind.BOOLEAN) throw wrongType("float");
            only("low", "high", "log");
            double low = number("low"), high = number("high");
            boolean log = flag();
            checkRange(low, high, log);
            return new Distribution.FloatRange(low, high, log);
        }

        private Distribution intRange() {
            if (tunable.kind() == Tunable.Kind.FLOAT || tunable.kind() == Tunable.Kind.BOOLEAN) throw wrongType("int");
            only("low", "high", "log");
            int low = integer("low"), high = integer("high");
            boolean log = flag();
            checkRange(low, high, log);
            return new Distribution.IntRange(low, high, log);
        }

        private Distribution choice() {
            only("choices");
            JsonNode choices = node.get("choices");
            if (choices == null || !choices.isArray() || choices.isEmpty()) throw error("categorical needs a non-empty \"choices\" array");
            List<Object> values = new ArrayList<>();
            for (JsonNode c : choices) {
                Object v = switch (tunable.kind()) {
                    case BOOLEAN -> {
                        if (!c.isBoolean()) throw error("choices must be true or false, got " + c);
                        yield c.booleanValue();
                    }
                    case INT -> {
                        if (!c.canConvertToExactIntegral() || !c.canConvertToInt()) throw error("choices must be whole numbers, got " + c);
                        yield c.intValue();
                    }
                    case FLOAT, NUMBER -> {
                        if (!c.isNumber()) throw error("choices must be numbers, got " + c);
                        yield c.isIntegralNumber() ? (Object) c.intValue() : (Object) c.doubleValue();
                    }
                };
                if (v instanceof Number n && !tunable.valid(n.doubleValue(), layers)) throw outOfBounds(n);
                if (values.contains(v)) throw error("choice " + c + " appears twice");
                values.add(v);
            }
            return new Distribution.Choice(values);
        }

        private void checkRange(double low, double high, boolean log) {
            if (low > high) throw error("empty range: low " + fmt(low) + " > high " + fmt(high));
            if (log && low <= 0) throw error("a log range needs low > 0, got " + fmt(low));
            if (!tunable.valid(low, layers)) throw outOfBounds(low);
            if (!tunable.valid(high, layers)) throw outOfBounds(high);
        }

        private void only(String... allowed) {
            List<String> ok = new ArrayList<>(List.of("type"));
            ok.addAll(List.of(allowed));
            for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!ok.contains(name)) throw error("'" + name + "' does not apply to type " + node.get("type").asText());
            }
        }

        private double number(String field) {
            JsonNode v = node.get(field);
            if (v == null) throw error("needs \"" + field + "\"");
            if (!v.isNumber()) throw error("\"" + field + "\" must be a number, got " + v);
            return v.doubleValue();
        }

        /** A whole number; unfreeze_top's high may be "all" (the model's layers). */
        private int integer(String field) {
            JsonNode v = node.get(field);
            if (v == null) throw error("needs \"" + field + "\"");
            if (tunable == Tunable.UNFREEZE_TOP && field.equals("high") && v.isTextual() && v.asText().equals("all")) return layers;
            if (!v.canConvertToExactIntegral() || !v.canConvertToInt()) {
                throw error("\"" + field + "\" must be a whole number" + (tunable == Tunable.UNFREEZE_TOP ? " (or \"all\")" : "")
                        + ", got " + v);
            }
            return v.intValue();
        }

        private boolean flag() {
            JsonNode v = node.get("log");
            if (v == null) return false;
            if (!v.isBoolean()) throw error("\"log\" must be true or false, got " + v);
            return v.booleanValue();
        }

        private IllegalArgumentException wrongType(String given) {
            String expected = switch (tunable.kind()) {
                case INT -> "int or categorical (whole numbers)";
                case BOOLEAN -> "categorical with choices true and false";
                default -> "float, int or categorical";
            };
            return error("expected type " + expected + ", got " + given);
        }

        private IllegalArgumentException outOfBounds(Number v) {
            return error("value " + fmt(v.doubleValue()) + " is out of bounds (" + tunable.key() + " must be "
                    + tunable.domain().replace("the model's layers", layers + ", the model's layers") + ")");
        }

        private IllegalArgumentException error(String message) {
            return new IllegalArgumentException(file + ": " + tunable.key() + ": " + message);
        }

        private static String fmt(double v) {
            return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.valueOf(v);
        }
    }
}
