/*
 * One finished trial of a search, as a line of trials.jsonl records it: its number, the settings it
 * ran with, the metric after each epoch, how it ended (complete; pruned by the pruner; failed, with
 * the reason), its value (the best epoch's metric: the model a run keeps; complete trials only) and
 * its wall time. The samplers and the pruner read nothing else, so a search is a pure function of
 * its seed and these records.
 */
package dev.kanna.tune;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

public record Trial(int number, Map<String, Object> settings, List<Double> epochValues, State state, Double value,
                    String reason, double seconds) {

    public enum State {
        COMPLETE, PRUNED, FAILED;

        public String json() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        static State parse(String s) {
            return valueOf(s.toUpperCase(java.util.Locale.ROOT));
        }
    }

    public Trial {
        settings = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(settings));
        epochValues = java.util.Collections.unmodifiableList(new ArrayList<>(epochValues));   // may hold NaN
    }

    /** The line trials.jsonl holds (NaN and infinite metrics as the strings "NaN", "Infinity": JSON has no such numbers). */
    public Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("number", number);
        m.put("state", state.json());
        m.put("value", finite(value));
        m.put("settings", settings);
        m.put("epoch_values", epochValues.stream().map(Trial::finite).toList());
        if (reason != null) m.put("reason", reason);
        m.put("seconds", seconds);
        return m;
    }

    /** A trial read back from its trials.jsonl line, bitwise as it was written. */
    @SuppressWarnings("unchecked")
    public static Trial fromJson(Map<String, Object> m) {
        List<Double> values = new ArrayList<>();
        for (Object v : (List<Object>) m.get("epoch_values")) values.add(number(v));
        Object value = m.get("value");
        return new Trial(((Number) m.get("number")).intValue(), (Map<String, Object>) m.get("settings"), values,
                State.parse((String) m.get("state")), value == null ? null : number(value),
                (String) m.get("reason"), ((Number) m.get("seconds")).doubleValue());
    }

    private static Object finite(Double v) {
        return v == null || Double.isFinite(v) ? v : v.toString();
    }

    private static double number(Object v) {
        return v instanceof Number n ? n.doubleValue() : Double.parseDouble((String) v);
    }
}
