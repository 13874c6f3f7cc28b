/*
 * `kanna serve` as a library call: an HTTP server for one or more model directories, with the
 * endpoints of Hugging Face text-embeddings-inference (/embed, /predict, /tokenize, /info,
 * /health, /metrics) and OpenAI's /v1/embeddings, and dynamic batching per model (Batcher).
 *
 *   try (Server s = Server.start(ServerOptions.defaults(), List.of(ModelSpec.parse("models/minilm")), System.err::println)) {
 *       s.awaitStopped();
 *   }
 *
 * The JDK's own HTTP server (com.sun.net.httpserver) with a virtual thread per request: a request
 * blocks while the batcher runs its inputs, which costs a virtual thread nothing, and the project
 * takes no new dependency. Every failure of a request becomes a JSON error answer; none reaches
 * the server. close() stops accepting, lets the requests in flight finish, then stops the models.
 */
package dev.kanna.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.regex.Pattern;

public final class Server implements AutoCloseable {
    private static final Set<String> INFERENCE = Set.of("/embed", "/predict", "/v1/embeddings", "/embeddings");
    private static final Set<String> ROUTES = Set.of("/embed", "/predict", "/v1/embeddings", "/embeddings",
            "/tokenize", "/info", "/health", "/metrics");

    /** A model to serve: the name requests choose it by, and its directory. */
    public record ModelSpec(String name, Path dir) {
        private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

        public ModelSpec {
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("model name '" + name + "': use letters, digits, '.', '_' and '-'");
            }
        }

        /** DIR, named by the directory's own name, or NAME=DIR. */
        public static ModelSpec parse(String arg) {
            int eq = arg.indexOf('=');
            if (eq > 0 && NAME.matcher(arg.substring(0, eq)).matches()) {
                return new ModelSpec(arg.substring(0, eq), Path.of(arg.substring(eq + 1)));
            }
            Path dir = Path.of(arg);
            Path last = dir.toAbsolutePath().normalize().getFileName();
            String name = last == null ? "model" : last.toString().replaceAll("[^A-Za-z0-9._-]", "_");
            return new ModelSpec(NAME.matcher(name).matches() ? name : "model", dir);
        }
    }

    private final HttpServer http;
    private final ExecutorService requests = Executors.newVirtualThreadPerTaskExecutor();
    private final Map<String, Batcher> batchers;
    private final Endpoints endpoints;
    private final ServerMetrics metrics;
    private final Semaphore inFlight;
    private final ServerOptions options;
    private final Consumer<String> log;
    private final ObjectMapper json = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private final AtomicBoolean closing = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);

    private Server(HttpServer http, Map<String, Batcher> batchers, ServerMetrics metrics, ServerOptions options,
                   Consumer<String> log) {
        this.http = http;
        this.batchers = batchers;
        this.metrics = metrics;
        this.options = options;
        this.log = log;
        this.endpoints = new Endpoints(batchers, options);
        this.inFlight = new Semaphore(options.maxConcurrentRequests());
    }

    /**
     * Binds the port, loads every model (each on its batcher thread) and starts serving. A port in
     * use or a model that fails to load is an IllegalArgumentException with one line saying which.
     */
    public static Server start(ServerOptions options, List<ModelSpec> models, Consumer<String> log) throws IOException {
        if (models.isEmpty()) throw new IllegalArgumentException("no model to serve: give --model DIR");
        Set<String> names = new HashSet<>();
        for (ModelSpec m : models) {
            if (!names.add(m.name())) {
                throw new IllegalArgumentException("two models are named '" + m.name() + "'; name them with --model NAME=DIR");
            }
        }
        Map<String, Batcher> batchers = new LinkedHashMap<>();
        // Nagle's algorithm is on by default: the last piece of an answer larger than the write buffer
        // can wait for the client's delayed ACK (up to 40 ms on Linux). Read once, when the server class loads.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) System.setProperty("sun.net.httpserver.nodelay", "true");
        HttpServer http = bind(options);
        ServerMetrics metrics = new ServerMetrics();
        try {
            for (ModelSpec m : models) {
                log.accept("loading " + m.name() + " from " + m.dir());
                batchers.put(m.name(), load(m, options, metrics, log));
            }
        } catch (RuntimeException e) {
            http.stop(0);
            batchers.values().forEach(Batcher::close);
            throw e;
        }
        Server server = new Server(http, batchers, metrics, options, log);
        http.createContext("/", server::handle);
        http.setExecutor(server.requests);
        http.start();
        return server;
    }

    private static HttpServer bind(ServerOptions options) throws IOException {
        InetSocketAddress address = new InetSocketAddress(options.host(), options.port());
        if (address.isUnresolved()) throw new IllegalArgumentException("--host " + options.host() + ": unknown host");
        try {
            return HttpServer.create(address, 1024);
        } catch (BindException e) {
            throw new IllegalArgumentException(options.host() + ":" + options.port() + ": " + e.getMessage().toLowerCase()
                    + " (another server on that port? choose one with --port)");
        }
    }

    private static Batcher load(ModelSpec m, ServerOptions options, ServerMetrics metrics, Consumer<String> log) {
        try {
            return Batcher.start(m.name(), m.dir(), options, metrics, line -> log.accept(m.name() + ": " + line));
        } catch (Exception e) {
            String why = e.getMessage() != null ? e.getMessage() : e.toString();
            throw new IllegalArgumentException("model " + m.name() + " (" + m.dir() + ") failed to load: "
                    + why.lines().findFirst().orElse(why), e);
        }
    }

    public InetSocketAddress address() {
        return http.getAddress();
    }

    public int port() {
        return http.getAddress().getPort();
    }

    /** Blocks until close() has finished. */
    public void awaitStopped() throws InterruptedException {
        stopped.await();
    }

    /**
     * Stops accepting connections, waits up to the grace period for the requests in flight to be
     * answered, then lets each batcher finish its queue and close its model. Safe to call twice.
     */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            try {
                awaitStopped();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        log.accept("stopping: no new connections; finishing " + metrics.inFlight.get() + " request(s) in flight");
        http.stop(options.shutdownGraceSeconds());
        batchers.values().forEach(Batcher::close);
        requests.shutdown();
        log.accept("stopped");
        stopped.countDown();
    }

    ServerMetrics metrics() {
        return metrics;
    }

    Batcher batcher(String name) {
        return batchers.get(name);
    }

    // ---------------------------------------------------------------------------------------------

    private void handle(HttpExchange exchange) {
        long start = System.nanoTime();
        String path = exchange.getRequestURI().getPath();
        boolean openAi = path.equals("/v1/embeddings") || path.equals("/embeddings");
        int status;
        try {
            status = respond(exchange, path);
        } catch (ApiException e) {
            status = error(exchange, e, openAi);
        } catch (Throwable e) {        // a fault while answering one request is that request's 500, nothing more
            log.accept("internal error on " + exchange.getRequestMethod() + " " + path + ": " + e);
            status = error(exchange, new ApiException(500, "Backend", "internal error: " + e), openAi);
        } finally {
            exchange.close();
        }
        metrics.request(ROUTES.contains(path) ? path : "other", status, System.nanoTime() - start);
    }

    private int respond(HttpExchange exchange, String path) throws IOException {
        switch (path) {
            case "/health" -> {
                method(exchange, "GET");
                if (closing.get() || !batchers.values().stream().allMatch(Batcher::healthy)) {
                    throw new ApiException(503, "Unhealthy", "unhealthy");
                }
                return send(exchange, 200, "application/json", "");
            }
            case "/metrics" -> {
                method(exchange, "GET");
                return send(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.render());
            }
            case "/info" -> {
                method(exchange, "GET");
                return send(exchange, 200, "application/json", endpoints.info(query(exchange, "model")));
            }
            case "/tokenize" -> {
                method(exchange, "POST");
                return send(exchange, 200, "application/json", endpoints.tokenize(body(exchange)));
            }
            default -> {
                if (!INFERENCE.contains(path)) {
                    throw ApiException.notFound("no endpoint " + path + "; see /info, /embed, /predict, /tokenize,"
                            + " /v1/embeddings, /health, /metrics");
                }
                method(exchange, "POST");
                JsonNode body = body(exchange);
                if (!inFlight.tryAcquire()) {
                    exchange.getResponseHeaders().set("Retry-After", "1");
                    throw new ApiException(429, "Overloaded", "Model is overloaded: " + options.maxConcurrentRequests()
                            + " requests in flight (--max-concurrent-requests); retry shortly");
                }
                metrics.inFlight.incrementAndGet();
                try {
                    String answer = switch (path) {
                        case "/embed" -> endpoints.embed(body);
                        case "/predict" -> endpoints.predict(body);
                        default -> endpoints.openAiEmbeddings(body);
                    };
                    return send(exchange, 200, "application/json", answer);
                } finally {
                    metrics.inFlight.decrementAndGet();
                    inFlight.release();
                }
            }
        }
    }

    private static void method(HttpExchange exchange, String expected) {
        if (!exchange.getRequestMethod().equals(expected)) {
            exchange.getResponseHeaders().set("Allow", expected);
            throw new ApiException(405, "Validation", exchange.getRequestURI().getPath() + " takes " + expected
                    + ", not " + exchange.getRequestMethod());
        }
    }

    /** The body as JSON: at most --payload-limit bytes of UTF-8. */
    private JsonNode body(HttpExchange exchange) throws IOException {
        int limit = options.payloadLimit();
        String declared = exchange.getRequestHeaders().getFirst("Content-Length");
        if (declared != null && declared.trim().matches("\\d{1,18}") && Long.parseLong(declared.trim()) > limit) {
            throw tooLarge(limit);
        }
        byte[] bytes;
        try (InputStream in = exchange.getRequestBody()) {
            bytes = in.readNBytes(limit + 1);
        }
        if (bytes.length > limit) throw tooLarge(limit);
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw ApiException.badRequest("the request body is not valid UTF-8");
        }
        if (text.isBlank()) throw ApiException.badRequest("the request body is empty; expected a JSON object");
        try {
            return json.readTree(text);
        } catch (JsonProcessingException e) {
            String at = e.getLocation() == null ? ""
                    : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
            String why = e.getOriginalMessage().replaceAll("\\s*\\(start marker at \\[[^]]*]\\)", "");
            throw ApiException.badRequest("malformed JSON: " + why.replaceAll("\\s+", " ") + at);
        }
    }

    private static ApiException tooLarge(int limit) {
        return ApiException.tooLarge("the request body is over the limit of " + limit + " bytes (--payload-limit)");
    }

    private static String query(HttpExchange exchange, String key) {
        String query = exchange.getRequestURI().getRawQuery();
        if (query == null) return null;
        for (String part : query.split("&")) {
            int eq = part.indexOf('=');
            if (eq > 0 && part.substring(0, eq).equals(key)) {
                return URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    /** {"error", "error_type"} as TEI answers; on the OpenAI route {"message", "code", "type"}, as TEI answers there. */
    private int error(HttpExchange exchange, ApiException e, boolean openAi) {
        Map<String, Object> body = new LinkedHashMap<>();
        if (openAi) {
            body.put("message", e.getMessage());
            body.put("code", e.status);
            body.put("type", e.type);
        } else {
            body.put("error", e.getMessage());
            body.put("error_type", e.type);
        }
        try {
            return send(exchange, e.status, "application/json", endpoints.write(body));
        } catch (IOException | RuntimeException ignored) {   // the client went away, or the answer had begun
            return e.status;
        }
    }

    private static int send(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
        return status;
    }
}
