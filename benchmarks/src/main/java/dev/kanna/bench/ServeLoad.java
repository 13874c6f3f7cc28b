/*
 * Load test of `kanna serve` (benchmarks/serve_load.sh runs it): concurrent clients on loopback
 * sending sentences to /embed, against the offline batched throughput of `kanna embed` on the same
 * sentences. Sentences come from the NCBI disease abstracts bundled in datasets/ (split at full
 * stops), the way a search indexer would send them.
 *
 *   offline  in this process, what `kanna embed` does per batch: tokenize, pad, embed (mean pooling),
 *            format as JSON; batches of 32 in file order (the figure the server is held to), then
 *            the same with the texts sorted by length (less padding: the stricter peer); texts/s of
 *            the best of --rounds passes after a warm-up pass
 *   passes   the time of one forward pass by shape (1 to 64 sequences of 16 and 64 tokens): what a
 *            pass costs beyond its tokens, the fixed cost the server's batch packing weighs
 *   load     against a running server: for each client count (1, 8, 64) and each request shape
 *            (one sentence per request; --batch sentences per request), every client sends
 *            requests back to back on its own keep-alive connection until the scenario's texts are
 *            sent or --seconds pass; p50/p99 latency per request, requests/s and texts/s, and from
 *            the server's /metrics how it batched: inputs per forward pass, padding (padded tokens
 *            over real ones), and the share of the time the model was running a pass. Then a lone
 *            client sending one 20-token sentence: its p50.
 *
 * The client is a minimal HTTP/1.1 writer/reader on a socket per client (TCP_NODELAY), so that on a
 * 2-core machine the load generator takes as little CPU from the server as it can.
 *
 *   java ... -cp benchmarks/target/benchmarks.jar dev.kanna.bench.ServeLoad offline --model DIR [--rounds 3]
 *   java ... -cp benchmarks/target/benchmarks.jar dev.kanna.bench.ServeLoad passes --model DIR
 *   java ... -cp benchmarks/target/benchmarks.jar dev.kanna.bench.ServeLoad load --port 8080 --model DIR
 */
package dev.kanna.bench;

import dev.kanna.backend.Backend;
import dev.kanna.backend.BackendOptions;
import dev.kanna.backend.Backends;
import dev.kanna.bert.Batch;
import dev.kanna.bert.BertModel;
import dev.kanna.bert.LoadOptions;
import dev.kanna.cli.JsonFloats;
import dev.kanna.tokenizer.BertTokenizer;
import dev.kanna.tokenizer.Encoding;
import dev.kanna.tokenizer.Truncation;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.zip.GZIPInputStream;

public final class ServeLoad {
    static final int OFFLINE_BATCH = 32;
    static final String HEADER = "| clients | texts/request | requests | p50 ms | p99 ms | requests/s | texts/s"
            + " | inputs/pass | padding | model busy |";

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = new HashMap<>();
        for (int i = 1; i + 1 < args.length; i += 2) opt.put(args[i], args[i + 1]);
        Path model = Path.of(opt.getOrDefault("--model", "models/all-MiniLM-L6-v2"));
        Path corpus = Path.of(opt.getOrDefault("--texts", "datasets/ncbi-disease/train-abstracts.txt.gz"));
        int count = Integer.parseInt(opt.getOrDefault("--count", "2048"));
        List<String> texts = sentences(corpus, count);
        switch (args.length == 0 ? "" : args[0]) {
            case "offline" -> offline(model, texts, Integer.parseInt(opt.getOrDefault("--rounds", "3")));
            case "passes" -> passes(model);
            case "load" -> load(Integer.parseInt(opt.getOrDefault("--port", "8080")), model, texts,
                    Integer.parseInt(opt.getOrDefault("--batch", "32")), Integer.parseInt(opt.getOrDefault("--seconds", "60")));
            default -> throw new IllegalArgumentException("usage: ServeLoad offline|passes|load [--model DIR] [--texts FILE] ...");
        }
    }

    /** The first count sentences of the corpus (one abstract per line), each at least 4 words. */
    static List<String> sentences(Path corpus, int count) throws IOException {
        List<String> out = new ArrayList<>();
        try (InputStream in = new GZIPInputStream(Files.newInputStream(corpus))) {
            for (String abstractText : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                for (String s : abstractText.split("(?<=\\.)\\s+(?=[A-Z])")) {
                    if (s.split(" ").length >= 4) out.add(s.strip());
                    if (out.size() == count) return out;
                }
            }
        }
        return out;
    }

    // ---------------------------------------------------------------------------------------------

    static void offline(Path dir, List<String> texts, int rounds) throws Exception {
        int threads = Runtime.getRuntime().availableProcessors();
        try (Backend backend = Backends.open("cpu", new BackendOptions(threads, true), System.err::println)) {
            BertModel model = BertModel.load(dir, backend, LoadOptions.defaults());
            BertTokenizer tokenizer = BertTokenizer.load(dir)
                    .withTruncation(Truncation.of(model.config().maxPositionEmbeddings())).withoutPadding();
            embedAll(model, tokenizer, texts);   // warm-up
            List<String> sorted = new ArrayList<>(texts);
            sorted.sort(Comparator.comparingInt((String t) -> tokenizer.encode(t).size()).reversed());
            passes("offline embed, file order", model, tokenizer, texts, rounds, threads);
            passes("offline embed, sorted by length", model, tokenizer, sorted, rounds, threads);
        }
    }

    private static void passes(String label, BertModel model, BertTokenizer tokenizer, List<String> texts, int rounds,
                               int threads) {
        double best = 0;
        for (int r = 0; r < rounds; r++) {
            long start = System.nanoTime();
            long bytes = embedAll(model, tokenizer, texts);
            double seconds = (System.nanoTime() - start) / 1e9;
            best = Math.max(best, texts.size() / seconds);
            System.out.printf(Locale.ROOT, "%s, pass %d: %d texts in %.2f s = %.1f texts/s (%d bytes of JSON)%n",
                    label, r + 1, texts.size(), seconds, texts.size() / seconds, bytes);
        }
        System.out.printf(Locale.ROOT, "%s, batch %d, %d threads: best %.1f texts/s%n", label, OFFLINE_BATCH, threads, best);
    }

    /** What `kanna embed` does with each batch of 32 lines, in order. */
    private static long embedAll(BertModel model, BertTokenizer tokenizer, List<String> texts) {
        long bytes = 0;
        for (int s = 0; s < texts.size(); s += OFFLINE_BATCH) {
            List<int[]> ids = new ArrayList<>(), types = new ArrayList<>();
            for (String t : texts.subList(s, Math.min(texts.size(), s + OFFLINE_BATCH))) {
                Encoding e = tokenizer.encode(t);
                ids.add(e.ids());
                types.add(e.typeIds());
            }
            StringBuilder sb = new StringBuilder();
            for (float[] v : model.embed(Batch.pad(ids, types, 0), BertModel.Pooling.MEAN)) {
                JsonFloats.append(sb, v);
                sb.append('\n');
            }
            bytes += sb.length();
        }
        return bytes;
    }

    /** The time of one forward pass by its shape: what BatchPacking's fixed cost per pass stands for. */
    static void passes(Path dir) throws Exception {
        int threads = Runtime.getRuntime().availableProcessors();
        int[][] shapes = {{1, 16}, {4, 16}, {16, 16}, {64, 16}, {1, 64}, {4, 64}, {16, 64}, {64, 64}};
        try (Backend backend = Backends.open("cpu", new BackendOptions(threads, true), System.err::println)) {
            BertModel model = BertModel.load(dir, backend, LoadOptions.defaults());
            System.out.println("| sequences × tokens | ms per pass (median) | µs per token |");
            System.out.println("|---|---|---|");
            for (int[] shape : shapes) {
                List<int[]> ids = new ArrayList<>();
                for (int i = 0; i < shape[0]; i++) {
                    int[] row = new int[shape[1]];
                    for (int k = 0; k < row.length; k++) row[k] = 1000 + (7 * k + 13 * i) % 20000;
                    ids.add(row);
                }
                Batch batch = Batch.pad(ids, 0);
                int reps = Math.max(5, 4000 / (shape[0] * shape[1]));
                for (int w = 0; w < 3; w++) model.embed(batch, BertModel.Pooling.MEAN);
                long[] times = new long[reps];
                for (int r = 0; r < reps; r++) {
                    long start = System.nanoTime();
                    model.embed(batch, BertModel.Pooling.MEAN);
                    times[r] = System.nanoTime() - start;
                }
                Arrays.sort(times);
                double ms = times[reps / 2] / 1e6;
                System.out.printf(Locale.ROOT, "| %d × %d | %.1f | %.0f |%n", shape[0], shape[1], ms,
                        1000 * ms / (shape[0] * shape[1]));
            }
        }
    }

    // ---------------------------------------------------------------------------------------------

    static void load(int port, Path dir, List<String> texts, int batch, int seconds) throws Exception {
        scenario(port, texts, 64, 1, 256, seconds, false);   // warm-up: the server's JIT, the connections
        scenario(port, texts, 8, batch, 512, seconds, false);
        System.out.println(HEADER);
        System.out.println("|---|---|---|---|---|---|---|---|---|---|");
        for (int clients : new int[]{1, 8, 64}) {
            scenario(port, texts, clients, 1, clients == 1 ? 512 : 2048, seconds, true);
            scenario(port, texts, clients, batch, 2048, seconds, true);
        }
        String lone = twentyTokens(dir, texts);
        List<String> one = List.of(lone);
        scenario(port, one, 1, 1, 50, seconds, false);
        System.out.println("lone request of 20 tokens (" + lone.length() + " chars): \"" + lone + "\"");
        System.out.println(HEADER);
        scenario(port, one, 1, 1, 300, seconds, true);
    }

    /** A sentence of at least 12 words that tokenizes to 20 tokens, [CLS] and [SEP] included. */
    private static String twentyTokens(Path dir, List<String> texts) {
        BertTokenizer tokenizer = BertTokenizer.load(dir).withoutTruncation().withoutPadding();
        for (String t : texts) if (t.split(" ").length >= 12 && tokenizer.encode(t).size() == 20) return t;
        throw new IllegalStateException("no sentence of 20 tokens among " + texts.size());
    }

    /** clients × requests of perRequest texts (total texts, or until the time cap); prints one table row. */
    private static void scenario(int port, List<String> texts, int clients, int perRequest, int total, int seconds,
                                 boolean print) throws Exception {
        int requests = Math.max(1, total / (clients * perRequest));
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<long[]>> results = new ArrayList<>();
        Map<String, Double> before = metrics(port);
        long start = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            int client = c;
            results.add(pool.submit(() -> {
                long[] latencies = new long[requests];
                int done = 0;
                try (Connection http = new Connection(port)) {
                    for (int r = 0; r < requests && System.nanoTime() < deadline; r++) {
                        StringBuilder body = new StringBuilder("{\"inputs\":[");
                        for (int k = 0; k < perRequest; k++) {
                            String t = texts.get((int) (((long) client * requests + r) * perRequest + k) % texts.size());
                            body.append(k == 0 ? "" : ",").append('"').append(t.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
                        }
                        long t0 = System.nanoTime();
                        int status = http.post("/embed", body.append("]}").toString());
                        latencies[done++] = System.nanoTime() - t0;
                        if (status != 200) throw new IllegalStateException("status " + status);
                    }
                }
                return Arrays.copyOf(latencies, done);
            }));
        }
        List<Long> all = new ArrayList<>();
        for (Future<long[]> f : results) for (long l : f.get()) all.add(l);
        double wall = (System.nanoTime() - start) / 1e9;
        pool.close();
        if (!print) return;
        Map<String, Double> after = metrics(port);
        Function<String, Double> delta = k -> after.getOrDefault(k, 0.0) - before.getOrDefault(k, 0.0);
        long[] sorted = all.stream().mapToLong(Long::longValue).sorted().toArray();
        System.out.printf(Locale.ROOT, "| %d | %d | %d | %.1f | %.1f | %.1f | %.1f | %.1f | %.0f%% | %.0f%% |%n", clients,
                perRequest, sorted.length, percentile(sorted, 0.50) / 1e6, percentile(sorted, 0.99) / 1e6,
                sorted.length / wall, sorted.length * (double) perRequest / wall,
                delta.apply("kanna_batch_size_sum") / delta.apply("kanna_batch_size_count"),
                100 * (delta.apply("kanna_padded_tokens_total") / delta.apply("kanna_tokens_total") - 1),
                100 * delta.apply("kanna_batch_duration_seconds_sum") / wall);
    }

    /** The server's counters that tell how it batched: sums over its models, by series name. */
    private static Map<String, Double> metrics(int port) throws IOException {
        Map<String, Double> out = new HashMap<>();
        try (Connection http = new Connection(port)) {
            for (String line : http.get("/metrics").split("\n")) {
                if (line.startsWith("#") || line.isBlank()) continue;
                int brace = line.indexOf('{'), space = line.lastIndexOf(' ');
                String name = brace > 0 ? line.substring(0, brace) : line.substring(0, space);
                out.merge(name, Double.parseDouble(line.substring(space + 1)), Double::sum);
            }
        }
        return out;
    }

    private static double percentile(long[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
    }

    /** One keep-alive HTTP/1.1 connection: POST a JSON body, read the answer (Content-Length framed) whole. */
    static final class Connection implements AutoCloseable {
        private final Socket socket;
        private final OutputStream out;
        private final InputStream in;

        Connection(int port) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setTcpNoDelay(true);
            out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
            in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
        }

        int post(String path, String json) throws IOException {
            byte[] body = json.getBytes(StandardCharsets.UTF_8);
            out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            String status = line();
            answer();
            return Integer.parseInt(status.split(" ")[1]);
        }

        String get(String path) throws IOException {
            out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            line();
            return new String(answer(), StandardCharsets.UTF_8);
        }

        /** The headers, then the body they announce. */
        private byte[] answer() throws IOException {
            int length = 0;
            for (String h; !(h = line()).isEmpty(); ) {
                if (h.regionMatches(true, 0, "content-length:", 0, 15)) length = Integer.parseInt(h.substring(15).trim());
            }
            byte[] body = in.readNBytes(length);
            if (body.length != length) throw new IOException("connection closed mid-answer");
            return body;
        }

        private String line() throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            for (int c; (c = in.read()) != '\n'; ) {
                if (c < 0) throw new IOException("connection closed");
                if (c != '\r') b.write(c);
            }
            return b.toString(StandardCharsets.US_ASCII);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
