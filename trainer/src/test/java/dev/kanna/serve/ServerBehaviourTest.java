/*
 * The server under bad input and load, on the tiny model over loopback: every error status with
 * its one-line JSON body (400, 404, 405, 413, 429), a server that keeps answering after them,
 * concurrent clients getting their own results in order from batches the batcher really shared,
 * and a graceful stop that answers the request in flight and refuses new connections. Batches are
 * held back through Batcher.beforeBatch where a test needs requests to pile up.
 */
package dev.kanna.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(120)
class ServerBehaviourTest {
    static final ObjectMapper JSON = new ObjectMapper();
    final List<String> log = new java.util.concurrent.CopyOnWriteArrayList<>();
    Server server;
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    static Path tiny(String name) throws Exception {
        return Path.of(ServerBehaviourTest.class.getResource("/tiny/" + name + "/config.json").toURI()).getParent();
    }

    Server start(ServerOptions options) throws Exception {
        server = Server.start(options.withDevice("cpu", 2), List.of(new Server.ModelSpec("tiny", tiny("model")),
                new Server.ModelSpec("cls", tiny("trained"))), log::add);
        return server;
    }

    Server start() throws Exception {
        return start(ServerOptions.defaults().withPort(0));
    }

    @AfterEach
    void stop() {
        if (server != null) server.close();
        http.close();
    }

    HttpResponse<String> send(String method, String path, byte[] body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body))
                .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path, String body) throws Exception {
        return send("POST", path, body.getBytes(StandardCharsets.UTF_8));
    }

    /** The status and the error line of an error answer, which must be exactly {"error", "error_type"}. */
    static String error(HttpResponse<String> response) throws Exception {
        JsonNode body = JSON.readTree(response.body());
        assertEquals(2, body.size(), response.body());
        assertFalse(response.body().contains("\n"), "one line");
        return response.statusCode() + " " + body.get("error_type").asText() + ": " + body.get("error").asText();
    }

    @Test
    void badRequestsAreOneLineJsonErrorsAndTheServerGoesOn() throws Exception {
        start(ServerOptions.defaults().withPort(0).withLimits(16384, 0, 512, 4, 8, 2000));
        assertEquals("400 Validation: malformed JSON: Unexpected end-of-input: expected close marker for Object"
                + " (line 1, column 15)", error(post("/embed", "{\"inputs\": \"a\"")));
        assertEquals("400 Validation: missing field `inputs`", error(post("/embed", "{\"input\": \"a\"}")));
        assertEquals("400 Validation: expected a JSON object as the request body", error(post("/embed", "[1]")));
        assertEquals("400 Validation: the request body is empty; expected a JSON object", error(post("/embed", "")));
        assertEquals("400 Validation: the request body is not valid UTF-8",
                error(send("POST", "/embed", new byte[]{'{', '"', 'i', '"', ':', '"', (byte) 0xC3, '"', '}'})));
        assertEquals("400 Empty: `inputs` cannot be empty", error(post("/embed", "{\"inputs\": []}")));
        assertEquals("400 Validation: `inputs` must be a string, a list of token ids, or a list of those",
                error(post("/embed", "{\"inputs\": {\"text\": \"a\"}}")));
        assertEquals("400 Validation: `normalize` must be true or false, got \"yes\"",
                error(post("/embed", "{\"inputs\": \"a\", \"normalize\": \"yes\"}")));
        assertEquals("400 Validation: input 0: token id 300 is outside the model's vocabulary of 300",
                error(post("/embed", "{\"inputs\": [2, 300, 3]}")));
        assertEquals("400 Validation: `inputs` must be a string, a pair of strings [string, string], or a batch"
                + " [[string], [string, string], ...]", error(post("/predict", "{\"inputs\": [\"a\", \"b\", \"c\"], \"model\": \"cls\"}")));
        assertEquals("404 Validation: unknown model 'bert'; this server has tiny, cls",
                error(post("/embed", "{\"inputs\": \"a\", \"model\": \"bert\"}")));
        assertEquals("404 Validation: no endpoint /rerank; see /info, /embed, /predict, /tokenize, /v1/embeddings,"
                + " /health, /metrics", error(post("/rerank", "{}")));
        HttpResponse<String> get = send("GET", "/embed", null);
        assertEquals("405 Validation: /embed takes POST, not GET", error(get));
        assertEquals("POST", get.headers().firstValue("Allow").orElseThrow());
        assertEquals("413 Validation: the request body is over the limit of 2000 bytes (--payload-limit)",
                error(post("/embed", "{\"inputs\": \"" + "a ".repeat(1500) + "\"}")));
        assertEquals("413 Validation: batch size 5 > maximum allowed batch size 4 (--max-client-batch-size)",
                error(post("/embed", "{\"inputs\": [\"a\", \"b\", \"c\", \"d\", \"e\"]}")));
        String longText = "\"the cat sat on the mat by the door\"";
        assertEquals("413 Validation: input 0 has more than 8 tokens, the maximum input length; shorten it or send"
                + " \"truncate\": true", error(post("/embed", "{\"inputs\": " + longText + ", \"truncate\": false}")));
        assertEquals("413 Validation: input 1 has more than 8 tokens, the maximum input length; shorten it or send"
                + " \"truncate\": true", error(post("/predict", "{\"inputs\": [[\"a\"], [" + longText + "]], \"truncate\": false,"
                + " \"model\": \"cls\"}")));
        assertEquals(200, post("/embed", "{\"inputs\": " + longText + "}").statusCode(), "truncate defaults to true");
        HttpResponse<String> openAi = post("/v1/embeddings", "{\"input\": []}");
        assertEquals("{\"message\":\"`input` cannot be empty\",\"code\":400,\"type\":\"Empty\"}", openAi.body(),
                "the OpenAI route answers errors in TEI's OpenAI shape");
        assertEquals(200, post("/embed", "{\"inputs\": \"still serving\"}").statusCode());
        assertEquals(200, send("GET", "/health", null).statusCode());
    }

    @Test
    void aFailedForwardPassFailsItsRequestsOnly() throws Exception {
        start();
        java.util.concurrent.atomic.AtomicBoolean fail = new java.util.concurrent.atomic.AtomicBoolean(true);
        server.batcher("tiny").beforeBatch = () -> {
            if (fail.getAndSet(false)) throw new IllegalStateException("device lost");
        };
        assertEquals("500 Backend: inference failed: device lost", error(post("/embed", "{\"inputs\": \"fails\"}")));
        assertEquals(200, post("/embed", "{\"inputs\": \"works again\"}").statusCode());
        assertEquals(200, send("GET", "/health", null).statusCode());
        assertTrue(log.contains("tiny: 1 input(s) failed: java.lang.IllegalStateException: device lost"), log.toString());
    }

    @Test
    void aFullQueueAnswers429WithRetryAfter() throws Exception {
        start(ServerOptions.defaults().withPort(0).withLimits(16384, 0, 2, 32, 0, 2_000_000));
        CountDownLatch release = new CountDownLatch(1);
        Batcher batcher = server.batcher("tiny");
        batcher.beforeBatch = () -> await(release);
        ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor();
        List<Future<HttpResponse<String>>> held = new ArrayList<>();
        for (int i = 0; i < 2; i++) held.add(clients.submit(() -> post("/embed", "{\"inputs\": \"held\"}")));
        waitFor(() -> server.metrics().inFlight.get() == 2);
        HttpResponse<String> refused = post("/embed", "{\"inputs\": \"one too many\"}");
        assertEquals("429 Overloaded: Model is overloaded: 2 requests in flight (--max-concurrent-requests); retry shortly",
                error(refused));
        assertEquals("1", refused.headers().firstValue("Retry-After").orElseThrow());
        assertEquals(200, send("GET", "/health", null).statusCode(), "health does not queue behind inference");
        release.countDown();
        for (Future<HttpResponse<String>> f : held) assertEquals(200, f.get().statusCode());
        assertEquals(200, post("/embed", "{\"inputs\": \"room again\"}").statusCode());
        clients.close();
    }

    @Test
    void concurrentClientsGetTheirOwnResultsInOrderFromSharedBatches() throws Exception {
        start();
        int clients = 16, requests = 10;
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 24; i++) texts.add("message " + i + " " + "word ".repeat(i % 7) + "end");
        Map<String, float[]> alone = new java.util.HashMap<>();
        for (String t : texts) alone.put(t, vectors(post("/embed", JSON.writeValueAsString(Map.of("inputs", t))))[0]);
        long[] before = server.metrics().batches("tiny");

        // Hold the first batch until every client has queued a request, so the next round holds them all.
        CountDownLatch release = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean first = new java.util.concurrent.atomic.AtomicBoolean(true);
        Batcher batcher = server.batcher("tiny");
        batcher.beforeBatch = () -> {
            if (first.getAndSet(false)) await(release);
        };
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<Integer>> done = new ArrayList<>();
        long firstRequests = batcher.submitted.get();
        for (int c = 0; c < clients; c++) firstRequests += c % 3 + 1;
        for (int c = 0; c < clients; c++) {
            int client = c;
            done.add(pool.submit(() -> {
                int checked = 0;
                for (int r = 0; r < requests; r++) {
                    List<String> mine = new ArrayList<>();
                    for (int k = 0; k <= (client + r) % 3; k++) mine.add(texts.get((client * 7 + r * 3 + k * 5) % texts.size()));
                    float[][] got = vectors(post("/embed", JSON.writeValueAsString(Map.of("inputs", mine))));
                    assertEquals(mine.size(), got.length);
                    for (int k = 0; k < mine.size(); k++) {
                        float[] want = alone.get(mine.get(k));
                        for (int d = 0; d < want.length; d++) assertEquals(want[d], got[k][d], 1e-5, "client " + client);
                        checked++;
                    }
                }
                return checked;
            }));
        }
        long expectQueued = firstRequests;
        waitFor(() -> batcher.submitted.get() == expectQueued);
        release.countDown();
        int total = 0;
        for (Future<Integer> f : done) total += f.get(60, TimeUnit.SECONDS);
        pool.close();
        long[] after = server.metrics().batches("tiny");
        long batches = after[0] - before[0], inputs = after[1] - before[1];
        assertEquals(total, inputs, "every input ran once");
        assertTrue(inputs > batches, "batched: " + inputs + " inputs in " + batches + " forward passes");
        String metrics = send("GET", "/metrics", null).body();
        assertTrue(metrics.contains("kanna_batch_size_bucket{model=\"tiny\",le=\"16\"}"), metrics);
    }

    @Test
    void stoppingAnswersTheRequestInFlightAndRefusesNewConnections() throws Exception {
        start();
        float[] expected = vectors(post("/embed", "{\"inputs\": \"in flight\"}"))[0];
        CountDownLatch release = new CountDownLatch(1);
        server.batcher("tiny").beforeBatch = () -> await(release);
        CompletableFuture<HttpResponse<String>> inFlight = CompletableFuture.supplyAsync(() -> {
            try {
                return post("/embed", "{\"inputs\": \"in flight\"}");
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        waitFor(() -> server.metrics().inFlight.get() == 1);
        int port = server.port();
        CompletableFuture<Void> stopping = CompletableFuture.runAsync(server::close);
        waitFor(() -> !canConnect(port));
        assertFalse(stopping.isDone(), "close() waits for the request in flight");
        release.countDown();
        HttpResponse<String> answered = inFlight.get(60, TimeUnit.SECONDS);
        assertEquals(200, answered.statusCode(), answered.body());
        assertArrayEquals(expected, vectors(answered)[0], 1e-6f);
        stopping.get(60, TimeUnit.SECONDS);
        assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", port).close());
        assertTrue(log.contains("stopped"), log.toString());
    }

    @Test
    void startUpRefusesAPortInUseAndAModelThatFailsToLoad(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        start();
        ServerOptions samePort = ServerOptions.defaults().withPort(server.port()).withDevice("cpu", 2);
        IllegalArgumentException inUse = assertThrows(IllegalArgumentException.class,
                () -> Server.start(samePort, List.of(new Server.ModelSpec("tiny", tiny("model"))), line -> { }));
        assertEquals("127.0.0.1:" + server.port() + ": address already in use (another server on that port? choose one"
                + " with --port)", inUse.getMessage());
        java.nio.file.Files.writeString(tmp.resolve("config.json"), "{\"hidden_size\": 32");
        java.nio.file.Files.writeString(tmp.resolve("model.safetensors"), "");
        java.nio.file.Files.writeString(tmp.resolve("vocab.txt"), "[PAD]\n");
        ServerOptions free = ServerOptions.defaults().withPort(0).withDevice("cpu", 2);
        IllegalArgumentException broken = assertThrows(IllegalArgumentException.class,
                () -> Server.start(free, List.of(new Server.ModelSpec("broken", tmp)), line -> { }));
        assertTrue(broken.getMessage().startsWith("model broken (" + tmp + ") failed to load: "), broken.getMessage());
        assertFalse(broken.getMessage().contains("\n"), broken.getMessage());
    }

    // ---------------------------------------------------------------------------------------------

    private static boolean canConnect(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static float[][] vectors(HttpResponse<String> response) throws Exception {
        assertEquals(200, response.statusCode(), response.body());
        JsonNode body = JSON.readTree(response.body());
        float[][] out = new float[body.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = new float[body.get(i).size()];
            for (int k = 0; k < out[i].length; k++) out[i][k] = (float) body.get(i).get(k).asDouble();
        }
        return out;
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(60, TimeUnit.SECONDS)) throw new IllegalStateException("test latch never released");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("condition not reached in 30 s");
            Thread.sleep(10);
        }
    }
}
