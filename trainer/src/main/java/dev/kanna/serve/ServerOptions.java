/*
 * The settings of a server, one record so a server started from the library and one started by
 * `kanna serve` are the same thing. Defaults follow text-embeddings-inference where it has the
 * same setting (16384 batch tokens, 512 concurrent requests, 32 inputs per request, 2 MB bodies).
 *
 * @param host                  address to listen on (loopback unless asked)
 * @param port                  TCP port; 0 picks a free one
 * @param device                cpu, cuda or auto
 * @param threads               CPU threads per model (0: one per core)
 * @param maxBatchTokens        padded tokens per forward pass (batch size × longest input)
 * @param maxBatchSize          inputs per forward pass (0: only the token budget limits it)
 * @param maxConcurrentRequests inference requests queued or running at once; more get 429
 * @param maxClientBatchSize    inputs in one request; more get 413
 * @param maxInputLength        tokens per input (0: the model's max_position_embeddings)
 * @param payloadLimit          bytes of one request body; more get 413
 * @param pooling               mean or cls for /embed; null: the model directory's 1_Pooling, else mean
 * @param shutdownGraceSeconds  how long a stopping server waits for the requests in flight
 */
package dev.kanna.serve;

public record ServerOptions(String host, int port, String device, int threads, int maxBatchTokens, int maxBatchSize,
                            int maxConcurrentRequests, int maxClientBatchSize, int maxInputLength, int payloadLimit,
                            String pooling, int shutdownGraceSeconds) {

    public ServerOptions {
        atLeast("--port", port, 0);
        if (port > 65535) throw new IllegalArgumentException("--port must be 0..65535, got " + port);
        atLeast("--threads", threads, 0);
        atLeast("--max-batch-tokens", maxBatchTokens, 1);
        atLeast("--max-batch-size", maxBatchSize, 0);
        atLeast("--max-concurrent-requests", maxConcurrentRequests, 1);
        atLeast("--max-client-batch-size", maxClientBatchSize, 1);
        atLeast("--max-input-length", maxInputLength, 0);
        atLeast("--payload-limit", payloadLimit, 1);
        atLeast("shutdown grace", shutdownGraceSeconds, 0);
    }

    private static void atLeast(String flag, int value, int min) {
        if (value < min) throw new IllegalArgumentException(flag + " must be at least " + min + ", got " + value);
    }

    public static ServerOptions defaults() {
        return new ServerOptions("127.0.0.1", 8080, "auto", 0, 16384, 0, 512, 32, 0, 2_000_000, null, 30);
    }

    public ServerOptions withPort(int p) {
        return new ServerOptions(host, p, device, threads, maxBatchTokens, maxBatchSize, maxConcurrentRequests,
                maxClientBatchSize, maxInputLength, payloadLimit, pooling, shutdownGraceSeconds);
    }

    public ServerOptions withDevice(String d, int t) {
        return new ServerOptions(host, port, d, t, maxBatchTokens, maxBatchSize, maxConcurrentRequests,
                maxClientBatchSize, maxInputLength, payloadLimit, pooling, shutdownGraceSeconds);
    }

    public ServerOptions withLimits(int batchTokens, int batchSize, int concurrentRequests, int clientBatchSize,
                                    int inputLength, int payload) {
        return new ServerOptions(host, port, device, threads, batchTokens, batchSize, concurrentRequests,
                clientBatchSize, inputLength, payload, pooling, shutdownGraceSeconds);
    }
}
