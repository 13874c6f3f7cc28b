/*
 * <out>/training_log.jsonl: one JSON object per optimizer step ({"type":"step",...}) and per
 * evaluation ({"type":"eval",...}), appended as the run goes so it can be followed live. On resume
 * it is rewritten from the checkpoint's history first, so it never holds steps the run redid.
 */
package dev.kanna.trainer;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kanna.io.AtomicFiles;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

final class TrainingLog {
    static final String FILE = "training_log.jsonl";
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path file;

    private TrainingLog(Path file) {
        this.file = file;
    }

    static TrainingLog open(Path out, TrainerState state) throws IOException {
        Path file = out.resolve(FILE);
        StringBuilder sb = new StringBuilder();
        for (Map<String, Object> line : lines(state)) sb.append(JSON.writeValueAsString(line)).append('\n');
        AtomicFiles.writeString(file, sb.toString());
        return new TrainingLog(file);
    }

    /** The history as log lines, ordered by step (an evaluation after the step it followed). */
    static List<Map<String, Object>> lines(TrainerState state) {
        List<Map<String, Object>> lines = new ArrayList<>();
        for (TrainerState.StepLog s : state.stepLogs) lines.add(line(s));
        for (TrainerState.EvalLog e : state.evalLogs) lines.add(line(e));
        lines.sort(Comparator.comparingLong((Map<String, Object> m) -> (Long) m.get("step"))
                .thenComparing(m -> "eval".equals(m.get("type")) ? 1 : 0));
        return lines;
    }

    void append(TrainerState.StepLog entry) throws IOException {
        write(line(entry));
    }

    void append(TrainerState.EvalLog entry) throws IOException {
        write(line(entry));
    }

    private void write(Map<String, Object> line) throws IOException {
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND)) {
            w.write(JSON.writeValueAsString(line));
            w.write('\n');
        }
    }

    private static Map<String, Object> line(TrainerState.StepLog s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "step");
        m.put("step", s.step());
        m.put("epoch", s.epoch());
        m.put("loss", s.loss());
        m.put("learning_rate", s.lr());
        m.put("grad_norm", s.gradNorm());
        return m;
    }

    private static Map<String, Object> line(TrainerState.EvalLog e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "eval");
        m.put("step", e.step());
        m.put("epoch", e.epoch());
        m.putAll(e.metrics());
        return m;
    }
}
