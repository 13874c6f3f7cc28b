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
 *   load     against a running server: for each client count (1, 8, 64) and each request shape
 *            (one sentence per request; --batch sentences per request), every client sends
 *            requests back to back on its own keep-alive connection until the scenario's texts are
 *            sent or --seconds pass; p50/p99 latency per request, requests/s and texts/s. Then a
 *            lone client sending one 20-token sentence: its p50.
 *
 * The client is a minimal HTTP/1.1 writer/reader on a socket per client (TCP_NODELAY), so that on a
 * 2-core machine the load generator takes as little CPU from the server as it can.
 *
 *   java ... -cp benchmarks/target/benchmarks.jar dev.kanna.bench.ServeLoad offline --model DIR [--rounds 3]
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
import java.util.zip.GZIPInputStream;

public final class ServeLoad {
    static final int OFFLINE_BATCH = 32;

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = new HashMap<>();
        for (int i = 1; i + 1 < args.length; i += 2) opt.put(args[i], args[i + 1]);
        Path model = Path.of(opt.getOrDefault("--model", "models/all-MiniLM-L6-v2"));
        Path corpus = Path.of(opt.getOrDefault("--texts", "datasets/ncbi-disease/train-abstracts.txt.gz"));
        int count = Integer.parseInt(opt.getOrDefault("--count", "2048"));
        List<String> texts = sentences(corpus, count);
        switch (args.length == 0 ? "" : args[0]) {
            case "offline" -> offline(model, texts, Integer.parseInt(opt.getOrDefault("--rounds", "3")));
            case "load" -> load(Integer.parseInt(opt.getOrDefault("--port", "8080")), model, texts,
                    Integer.parseInt(opt.getOrDefault("--batch", "32")), Integer.parseInt(opt.getOrDefault("--seconds", "60")));
            default -> throw new IllegalArgumentException("usage: ServeLoad offline|load [--model DIR] [--texts FILE] ...");
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

    // ---------------------------------------------------------------------------------------------

    static void load(int port, Path dir, List<String> texts, int batch, int seconds) throws Exception {
        scenario(port, texts, 64, 1, 256, seconds, false);   // warm-up: the server's JIT, the connections
        scenario(port, texts, 8, batch, 512, seconds, false);
        System.out.println("| clients | texts/request | requests | p50 ms | p99 ms | requests/s | texts/s |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (int clients : new int[]{1, 8, 64}) {
            scenario(port, texts, clients, 1, clients == 1 ? 512 : 2048, seconds, true);
            scenario(port, texts, clients, batch, 2048, seconds, true);
        }
        String lone = twentyTokens(dir, texts);
        List<String> one = List.of(lone);
        scenario(port, one, 1, 1, 50, seconds, false);
        System.out.println("lone request of 20 tokens (" + lone.length() + " chars): \"" + lone + "\"");
        System.out.println("| clients | texts/request | requests | p50 ms | p99 ms | requests/s | texts/s |");
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
        long[] sorted = all.stream().mapToLong(Long::longValue).sorted().toArray();
        System.out.printf(Locale.ROOT, "| %d | %d | %d | %.1f | %.1f | %.1f | %.1f |%n", clients, perRequest, sorted.length,
                percentile(sorted, 0.50) / 1e6, percentile(sorted, 0.99) / 1e6, sorted.length / wall,
                sorted.length * (double) perRequest / wall);
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
            int length = 0;
            for (String h; !(h = line()).isEmpty(); ) {
                if (h.regionMatches(true, 0, "content-length:", 0, 15)) length = Integer.parseInt(h.substring(15).trim());
            }
            if (in.readNBytes(length).length != length) throw new IOException("connection closed mid-answer");
            return Integer.parseInt(status.split(" ")[1]);
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
