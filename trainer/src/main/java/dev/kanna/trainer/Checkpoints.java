/*
 * Checkpoints in <out>/checkpoint-<step>/: the model as a Hugging Face directory (config.json,
 * model.safetensors, tokenizer files), AdamW's moments and step counts (optimizer.safetensors), the
 * best weights so far (best_weights.safetensors, trainable tensors only) and trainer_state.json. Each checkpoint is
 * built in a hidden temporary directory and renamed into place, so a killed run leaves only
 * complete checkpoints.
 */
package dev.kanna.trainer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.kanna.io.AtomicFiles;
import dev.kanna.io.SafetensorsFile;
import dev.kanna.io.SafetensorsWriter;
import dev.kanna.optim.AdamW;
import dev.kanna.tensor.HostTensor;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

public final class Checkpoints {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final Pattern NAME = Pattern.compile("checkpoint-(\\d+)");
    /** What a save killed midway leaves beside the checkpoints (AtomicFiles' sibling names). */
    private static final Pattern LEFTOVER = Pattern.compile("\\.checkpoint-\\d+\\.(tmp|old)-[0-9a-f]+");
    static final String STATE = "trainer_state.json";
    static final String OPTIMIZER = "optimizer.safetensors";
    static final String BEST = "best_weights.safetensors";
    /** Optimizer metadata key prefix of a parameter's own step count, kept where it differs from "step". */
    private static final String PARAMETER_STEP = "step.";
    /** Tokenizer files copied beside the weights when the model directory has them. */
    static final List<String> TOKENIZER_FILES = List.of("tokenizer.json", "vocab.txt", "tokenizer_config.json",
            "special_tokens_map.json");

    /** Writes the model files of a checkpoint or final directory into dir. */
    @FunctionalInterface
    public interface ModelWriter {
        void write(Path dir) throws IOException;
    }

    /** What a checkpoint restores. */
    public record Loaded(Path dir, TrainerState state, AdamW.State optimizer, Map<String, HostTensor> best) {
    }

    private Checkpoints() {
    }

    public static Path dir(Path out, long step) {
        return out.resolve("checkpoint-" + step);
    }

    /** Writes checkpoint-<step> atomically; an existing one of that step is replaced. */
    public static Path save(Path out, TrainerState state, ModelWriter model, Path tokenizerDir, AdamW.State optimizer,
                            Map<String, HostTensor> best) throws IOException {
        Path target = dir(out, state.globalStep);
        Path temp = AtomicFiles.createSiblingTempDirectory(target);
        try {
            model.write(temp);
            copyTokenizerFiles(tokenizerDir, temp);
            SafetensorsWriter moments = new SafetensorsWriter().putMetadata("step", Long.toString(optimizer.step()));
            // parameters unfrozen later (gradual unfreezing) count fewer steps of their own
            optimizer.parameterSteps().forEach((name, n) -> moments.putMetadata(PARAMETER_STEP + name, Long.toString(n)));
            optimizer.expAvg().forEach((name, t) -> moments.addF32("exp_avg." + name, t.data(), longs(t.shape())));
            optimizer.expAvgSq().forEach((name, t) -> moments.addF32("exp_avg_sq." + name, t.data(), longs(t.shape())));
            moments.write(temp.resolve(OPTIMIZER));
            if (best != null) {
                SafetensorsWriter bestWriter = new SafetensorsWriter();
                best.forEach((name, t) -> bestWriter.addF32(name, t.data(), longs(t.shape())));
                bestWriter.write(temp.resolve(BEST));
            }
            AtomicFiles.writeString(temp.resolve(STATE), JSON.writeValueAsString(state));
            AtomicFiles.publishDirectory(temp, target, true);
        } catch (IOException | RuntimeException e) {
            AtomicFiles.deleteRecursively(temp);
            throw e;
        }
        return target;
    }

    /** The newest complete checkpoint in out, if any. */
    public static Optional<Path> newest(Path out) throws IOException {
        return list(out).stream().reduce((a, b) -> b);
    }

    /** Complete checkpoints in out, oldest first. */
    public static List<Path> list(Path out) throws IOException {
        if (!Files.isDirectory(out)) return List.of();
        try (Stream<Path> s = Files.list(out)) {
            return s.filter(p -> NAME.matcher(p.getFileName().toString()).matches())
                    .filter(p -> Files.isRegularFile(p.resolve(STATE)))
                    .sorted(Comparator.comparingLong(Checkpoints::step))
                    .toList();
        }
    }

    /** Deletes the temporary and set-aside directories of saves that were killed midway. */
    public static void removeLeftovers(Path out) throws IOException {
        if (!Files.isDirectory(out)) return;
        List<Path> leftovers;
        try (Stream<Path> s = Files.list(out)) {
            leftovers = s.filter(p -> LEFTOVER.matcher(p.getFileName().toString()).matches()).toList();
        }
        for (Path p : leftovers) AtomicFiles.deleteRecursively(p);
    }

    static long step(Path checkpoint) {
        Matcher m = NAME.matcher(checkpoint.getFileName().toString());
        if (!m.matches()) throw new IllegalArgumentException(checkpoint + " is not a checkpoint directory");
        return Long.parseLong(m.group(1));
    }

    /** Deletes the oldest checkpoints beyond the newest `limit` (0: keep all). */
    public static void prune(Path out, int limit) throws IOException {
        if (limit <= 0) return;
        List<Path> all = list(out);
        for (int k = 0; k < all.size() - limit; k++) AtomicFiles.deleteRecursively(all.get(k));
    }

    /** The trainer state alone (cheap: the checks before a resume need nothing else). */
    public static TrainerState readState(Path checkpoint) throws IOException {
        try {
            return JSON.readValue(checkpoint.resolve(STATE).toFile(), TrainerState.class);
        } catch (IOException e) {
            throw new IOException(checkpoint.resolve(STATE) + ": unreadable trainer state (" + e.getMessage() + ")", e);
        }
    }

    public static Loaded load(Path checkpoint) throws IOException {
        TrainerState state = readState(checkpoint);
        Map<String, HostTensor> m = new LinkedHashMap<>(), v = new LinkedHashMap<>();
        Map<String, Long> parameterSteps = new LinkedHashMap<>();
        long step;
        try (SafetensorsFile f = SafetensorsFile.open(checkpoint.resolve(OPTIMIZER))) {
            String stepText = f.metadata().get("step");
            if (stepText == null) throw new IOException(f.path() + ": metadata lacks the optimizer step");
            step = Long.parseLong(stepText);
            for (var e : f.metadata().entrySet()) {
                if (e.getKey().startsWith(PARAMETER_STEP)) {
                    parameterSteps.put(e.getKey().substring(PARAMETER_STEP.length()), Long.parseLong(e.getValue()));
                }
            }
            for (String name : f.names()) {
                HostTensor t = new HostTensor(ints(f.info(name).shape()), f.floats(name));
                if (name.startsWith("exp_avg_sq.")) v.put(name.substring("exp_avg_sq.".length()), t);
                else if (name.startsWith("exp_avg.")) m.put(name.substring("exp_avg.".length()), t);
                else throw new IOException(f.path() + ": unexpected tensor " + name);
            }
        }
        Map<String, HostTensor> best = null;
        if (Files.exists(checkpoint.resolve(BEST))) best = readTensors(checkpoint.resolve(BEST));
        return new Loaded(checkpoint, state, new AdamW.State(step, m, v, parameterSteps), best);
    }

    static Map<String, HostTensor> readTensors(Path file) throws IOException {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            for (String name : f.names()) out.put(name, new HostTensor(ints(f.info(name).shape()), f.floats(name)));
        }
        return out;
    }

    /** Copies the tokenizer files present in from into to, each written atomically (replacing one there). */
    public static void copyTokenizerFiles(Path from, Path to) throws IOException {
        for (String name : TOKENIZER_FILES) {
            Path source = from.resolve(name);
            if (!Files.isRegularFile(source)) continue;
            AtomicFiles.write(to.resolve(name), channel -> {
                try (FileChannel in = FileChannel.open(source)) {
                    long size = in.size();
                    for (long done = 0; done < size; ) {
                        long n = channel.transferFrom(in, done, size - done);
                        if (n <= 0) throw new IOException(source + ": shrank while being copied");
                        done += n;
                    }
                }
            });
        }
    }

    static long[] longs(int[] shape) {
        return Arrays.stream(shape).asLongStream().toArray();
    }

    static int[] ints(long[] shape) {
        return Arrays.stream(shape).mapToInt(Math::toIntExact).toArray();
    }
}
