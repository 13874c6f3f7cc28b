/*
 * The server's counters in Prometheus' text format (version 0.0.4): requests by endpoint and
 * status, request latency, forward-pass batch sizes and durations, tokens run (rate() of it is
 * tokens/s), and gauges for the inputs queued per model and the requests in flight. Lock-free
 * adders: request threads and batchers record without contending for a lock.
 */
package dev.kanna.serve;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

final class ServerMetrics {
    private static final double[] SECONDS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
    private static final double[] SIZES = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};

    private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();        // {endpoint, status}
    private final Map<String, Histogram> latency = new ConcurrentHashMap<>();         // {endpoint}
    private final Map<String, Histogram> batchSizes = new ConcurrentHashMap<>();      // {model}
    private final Map<String, Histogram> batchSeconds = new ConcurrentHashMap<>();    // {model}
    private final Map<String, LongAdder> tokens = new ConcurrentHashMap<>();          // {model}
    private final Map<String, LongAdder> paddedTokens = new ConcurrentHashMap<>();    // {model}
    private final Map<String, IntSupplier> queueDepth = new ConcurrentHashMap<>();    // {model}
    final AtomicInteger inFlight = new AtomicInteger();

    void request(String endpoint, int status, long nanos) {
        requests.computeIfAbsent(labels("endpoint", endpoint, "status", Integer.toString(status)), k -> new LongAdder())
                .increment();
        latency.computeIfAbsent(labels("endpoint", endpoint), k -> new Histogram(SECONDS)).observe(nanos / 1e9);
    }

    /** One forward pass of model: its inputs, their tokens, the tokens with padding, how long it took. */
    void batch(String model, int size, int realTokens, int padded, long nanos) {
        String key = labels("model", model);
        batchSizes.computeIfAbsent(key, k -> new Histogram(SIZES)).observe(size);
        batchSeconds.computeIfAbsent(key, k -> new Histogram(SECONDS)).observe(nanos / 1e9);
        tokens.computeIfAbsent(key, k -> new LongAdder()).add(realTokens);
        paddedTokens.computeIfAbsent(key, k -> new LongAdder()).add(padded);
    }

    void queueDepth(String model, IntSupplier depth) {
        queueDepth.put(labels("model", model), depth);
    }

    /** The number of forward passes of model so far and their total inputs (tests read these). */
    long[] batches(String model) {
        Histogram h = batchSizes.get(labels("model", model));
        return h == null ? new long[]{0, 0} : new long[]{h.count.sum(), (long) h.sum.sum()};
    }

    String render() {
        StringBuilder out = new StringBuilder();
        counter(out, "kanna_requests_total", "HTTP requests by endpoint and status.", requests);
        histogram(out, "kanna_request_duration_seconds", "Time from request read to response written.", latency);
        histogram(out, "kanna_batch_size", "Inputs per forward pass.", batchSizes);
        histogram(out, "kanna_batch_duration_seconds", "Time of one forward pass.", batchSeconds);
        counter(out, "kanna_tokens_total", "Tokens run through the model, padding excluded.", tokens);
        counter(out, "kanna_padded_tokens_total", "Tokens run through the model, padding included.", paddedTokens);
        header(out, "kanna_queue_depth", "Inputs waiting for a forward pass.", "gauge");
        new TreeMap<>(queueDepth).forEach((k, v) -> out.append("kanna_queue_depth").append(k).append(' ')
                .append(v.getAsInt()).append('\n'));
        header(out, "kanna_requests_in_flight", "Inference requests queued or running.", "gauge");
        out.append("kanna_requests_in_flight ").append(inFlight.get()).append('\n');
        return out.toString();
    }

    private static void counter(StringBuilder out, String name, String help, Map<String, LongAdder> series) {
        header(out, name, help, "counter");
        new TreeMap<>(series).forEach((k, v) -> out.append(name).append(k).append(' ').append(v.sum()).append('\n'));
    }

    private static void histogram(StringBuilder out, String name, String help, Map<String, Histogram> series) {
        header(out, name, help, "histogram");
        new TreeMap<>(series).forEach((k, h) -> h.render(out, name, k));
    }

    private static void header(StringBuilder out, String name, String help, String type) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    /** {k1="v1",k2="v2"}; values are endpoint paths, status codes and model names, which need no escaping. */
    private static String labels(String... kv) {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < kv.length; i += 2) {
            if (i > 0) sb.append(',');
            sb.append(kv[i]).append("=\"").append(kv[i + 1]).append('"');
        }
        return sb.append('}').toString();
    }

    /** Counts per upper bound (rendered cumulative, as Prometheus wants), their sum and count. */
    private static final class Histogram {
        final double[] bounds;
        final LongAdder[] counts;   // counts[i]: observations ≤ bounds[i] and > bounds[i-1]; last: above all
        final DoubleAdder sum = new DoubleAdder();
        final LongAdder count = new LongAdder();

        Histogram(double[] bounds) {
            this.bounds = bounds;
            this.counts = new LongAdder[bounds.length + 1];
            for (int i = 0; i < counts.length; i++) counts[i] = new LongAdder();
        }

        void observe(double value) {
            int i = 0;
            while (i < bounds.length && value > bounds[i]) i++;
            counts[i].increment();
            sum.add(value);
            count.increment();
        }

        void render(StringBuilder out, String name, String labels) {
            String inner = labels.substring(1, labels.length() - 1);
            long cumulative = 0;
            for (int i = 0; i <= bounds.length; i++) {
                cumulative += counts[i].sum();
                String le = i < bounds.length ? format(bounds[i]) : "+Inf";
                out.append(name).append("_bucket{").append(inner).append(",le=\"").append(le).append("\"} ")
                        .append(cumulative).append('\n');
            }
            out.append(name).append("_sum").append(labels).append(' ').append(sum.sum()).append('\n');
            out.append(name).append("_count").append(labels).append(' ').append(count.sum()).append('\n');
        }

        private static String format(double bound) {
            return bound == Math.rint(bound) ? Long.toString((long) bound) : Double.toString(bound);
        }
    }
}
