/*
 * `kanna serve`: an HTTP server for one or more model directories (Server), until SIGTERM or
 * Ctrl-C, which stop it gracefully: no new connections, the requests in flight answered, then exit.
 */
package dev.kanna.cli;

import dev.kanna.serve.Server;
import dev.kanna.serve.ServerOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "serve",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
                "Serve models over HTTP with text-embeddings-inference's API: POST /embed, /predict, /tokenize,",
                "/v1/embeddings (OpenAI); GET /info, /health, /metrics (Prometheus). Concurrent requests are",
                "batched together by token budget. A plain BERT or sentence-embedding directory serves /embed;",
                "a fine-tuned one serves /predict and /embed of its encoder.",
                "Example: kanna serve --model models/all-MiniLM-L6-v2 --port 8080",
                "         curl -s localhost:8080/embed -H 'Content-Type: application/json' -d '{\"inputs\": \"Hello\"}'"})
final class ServeCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "[NAME=]DIR",
            description = "A model directory to serve, repeatable; requests choose by a \"model\" field (default: the first). "
                    + "NAME defaults to the directory's name.")
    List<String> models;
    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on (default: ${DEFAULT-VALUE}, loopback only).")
    String host;
    @Option(names = "--port", defaultValue = "8080", description = "TCP port (default: ${DEFAULT-VALUE}; 0: any free port).")
    int port;
    @Mixin
    DeviceOptions device;   // --threads: per model
    @Option(names = "--max-batch-tokens", defaultValue = "16384", paramLabel = "N",
            description = "Padded tokens per forward pass: batch size × longest input (default: ${DEFAULT-VALUE}).")
    int maxBatchTokens;
    @Option(names = "--max-batch-size", defaultValue = "0", paramLabel = "N",
            description = "Inputs per forward pass (default: 0, only the token budget limits it).")
    int maxBatchSize;
    @Option(names = "--max-concurrent-requests", defaultValue = "512", paramLabel = "N",
            description = "Inference requests queued or running at once; more are answered 429 (default: ${DEFAULT-VALUE}).")
    int maxConcurrentRequests;
    @Option(names = "--max-client-batch-size", defaultValue = "32", paramLabel = "N",
            description = "Inputs in one request; more are answered 413 (default: ${DEFAULT-VALUE}).")
    int maxClientBatchSize;
    @Option(names = "--max-input-length", defaultValue = "0", paramLabel = "N",
            description = "Tokens per input, special tokens included; longer inputs are cut, or answered 413 with "
                    + "\"truncate\": false (default: the model's max_position_embeddings).")
    int maxInputLength;
    @Option(names = "--payload-limit", defaultValue = "2000000", paramLabel = "BYTES",
            description = "Largest request body; larger ones are answered 413 (default: ${DEFAULT-VALUE}).")
    int payloadLimit;
    @Option(names = "--pooling", paramLabel = "mean|cls",
            description = "How /embed pools token states (default: the directory's 1_Pooling/config.json, else mean).")
    String pooling;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        ServerOptions options = new ServerOptions(host, port, device.device, device.threads, maxBatchTokens, maxBatchSize,
                maxConcurrentRequests, maxClientBatchSize, maxInputLength, payloadLimit, pooling, 30);
        List<Server.ModelSpec> specs = models.stream().map(Server.ModelSpec::parse).toList();
        Server server = Server.start(options, specs, line -> {
            err.println("kanna serve: " + line);
            err.flush();
        });
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "kanna-serve-shutdown"));
        err.println("kanna serve: listening on http://" + hostForUrl(server) + ":" + server.port() + " ("
                + String.join(", ", specs.stream().map(Server.ModelSpec::name).toList()) + ")");
        err.flush();
        server.awaitStopped();
        return 0;
    }

    private String hostForUrl(Server server) {
        String h = server.address().getHostString();
        return h.contains(":") ? "[" + h + "]" : h;
    }
}
