/*
 * Dynamic batching for one model. A single platform thread loads the model, owns it (models are
 * not thread-safe, and a GPU context belongs to the thread that made it) and closes it. Request
 * threads tokenize their inputs and queue them; each round the batcher takes everything queued,
 * sorts it by length (longest first, so each batch pads little), cuts it into batches within the
 * token budget (batch size × longest ≤ maxBatchTokens; BatchPacking chooses the cuts), runs them
 * and hands each input's result to its request, which completes when its last input is done.
 * Inputs of one request may land in different batches; results come back in the request's order.
 * A lone request runs at once: there is no waiting window, only what queued up while the previous
 * round ran.
 */
package dev.kanna.serve;

import dev.kanna.bert.Batch;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

final class Batcher implements AutoCloseable {

    /** What a forward pass computes: a pooled embedding, or the task head's outputs. */
    enum Kind { EMBED, OUTPUTS }

    /** One tokenized input: token ids and their type ids, same length, at least one token. */
    record Tokens(int[] ids, int[] typeIds) {
    }

    private final String name;
    private final Path dir;
    private final ServerOptions options;
    private final ServerMetrics metrics;
    private final Consumer<String> log;
    private final LinkedBlockingQueue<Item> queue = new LinkedBlockingQueue<>();
    private final CompletableFuture<LoadedModel> loaded = new CompletableFuture<>();
    private final Thread thread;
    private volatile boolean stopping;
    private boolean closed;                 // guarded by this: no more submissions are accepted
    volatile Runnable beforeBatch = () -> { };   // tests hold a batch back with it
    final AtomicLong submitted = new AtomicLong();  // inputs ever queued (tests wait on it)

    private Batcher(String name, Path dir, ServerOptions options, ServerMetrics metrics, Consumer<String> log) {
        this.name = name;
        this.dir = dir;
        this.options = options;
        this.metrics = metrics;
        this.log = log;
        this.thread = Thread.ofPlatform().name("kanna-batcher-" + name).daemon(true).unstarted(this::loop);
    }

    /** Loads dir on a new batcher thread and waits for it; a model that fails to load is thrown as is. */
    static Batcher start(String name, Path dir, ServerOptions options, ServerMetrics metrics, Consumer<String> log)
            throws Exception {
        Batcher b = new Batcher(name, dir, options, metrics, log);
        b.thread.start();
        try {
            b.loaded.get();
        } catch (ExecutionException e) {
            b.thread.join();
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
        metrics.queueDepth(name, b.queue::size);
        return b;
    }

    LoadedModel model() {
        return loaded.join();
    }

    boolean healthy() {
        return thread.isAlive() && !stopping;
    }

    /** Queues inputs; the future gets one result per input, in order (an embedding, or the outputs of that input). */
    CompletableFuture<float[][]> submit(Kind kind, List<Tokens> inputs) {
        Work work = new Work(kind, inputs.size());
        if (inputs.isEmpty()) {
            work.done.complete(work.results);
            return work.done;
        }
        synchronized (this) {
            if (closed) throw new ApiException(503, "Unhealthy", "the server is shutting down");
            for (int i = 0; i < inputs.size(); i++) queue.add(new Item(work, i, inputs.get(i)));
            submitted.addAndGet(inputs.size());
        }
        return work.done;
    }

    private void loop() {
        LoadedModel model = null;
        try {
            model = LoadedModel.load(name, dir, options, log);
            warmUp(model);
        } catch (Throwable e) {
            if (model != null) model.close();
            loaded.completeExceptionally(e);
            return;
        }
        loaded.complete(model);
        try {
            List<Item> round = new ArrayList<>();
            while (true) {
                Item first = queue.poll(50, TimeUnit.MILLISECONDS);
                if (first == null) {
                    if (stopping && closeIfIdle()) break;
                    continue;
                }
                round.add(first);
                queue.drainTo(round);
                try {
                    runRound(model, round);
                } catch (RuntimeException e) {   // a fault outside the passes: fail this round, keep serving
                    fail(round, e);
                }
                round.clear();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            synchronized (this) {
                closed = true;
            }
            List<Item> left = new ArrayList<>();
            queue.drainTo(left);
            fail(left, new IllegalStateException("the model stopped"));
            model.close();
        }
    }

    private void fail(List<Item> items, Throwable e) {
        if (items.isEmpty()) return;
        log.accept(items.size() + " input(s) failed: " + e);
        ApiException failure = new ApiException(500, "Backend", "inference failed: " + e.getMessage());
        for (Item item : items) item.work.done.completeExceptionally(failure);
    }

    private synchronized boolean closeIfIdle() {
        if (!queue.isEmpty()) return false;
        closed = true;
        return true;
    }

    /** Sorted by kind, then longest first; each kind's inputs cut into passes by BatchPacking. */
    private void runRound(LoadedModel model, List<Item> round) {
        round.removeIf(item -> item.work.done.isDone());          // a request that already failed
        round.sort(Comparator.comparing((Item item) -> item.work.kind).thenComparing(item -> -item.length()));
        for (int from = 0; from < round.size(); ) {
            Kind kind = round.get(from).work.kind;
            int to = from;
            while (to < round.size() && round.get(to).work.kind == kind) to++;
            int[] lengths = new int[to - from];
            for (int i = 0; i < lengths.length; i++) lengths[i] = round.get(from + i).length();
            int begin = from;
            for (int end : BatchPacking.cuts(lengths, options.maxBatchTokens(), options.maxBatchSize())) {
                forward(model, kind, round.subList(begin, from + end));
                begin = from + end;
            }
            from = to;
        }
    }

    private void forward(LoadedModel model, Kind kind, List<Item> items) {
        List<int[]> ids = new ArrayList<>(items.size()), types = new ArrayList<>(items.size());
        int tokens = 0;
        for (Item item : items) {
            ids.add(item.tokens.ids());
            types.add(item.tokens.typeIds());
            tokens += item.length();
        }
        long start = System.nanoTime();
        float[][] results = new float[items.size()][];
        try {
            beforeBatch.run();
            Batch batch = Batch.pad(ids, types, model.padId());
            if (kind == Kind.EMBED) {
                results = model.embed(batch);                                  // (B, C)
            } else {
                float[] outputs = model.outputs(batch);                        // (B, K) or (B, T, K)
                int k = model.taskModel().numOutputs();
                boolean perToken = model.taskModel().perToken();
                int row = perToken ? batch.length() * k : k;
                for (int b = 0; b < items.size(); b++) {
                    int width = perToken ? items.get(b).length() * k : k;
                    results[b] = Arrays.copyOfRange(outputs, b * row, b * row + width);
                }
            }
            // Counted before the answers go out, so a client that has its answer sees its pass counted.
            metrics.batch(name, items.size(), tokens, items.size() * batch.length(), System.nanoTime() - start);
        } catch (Throwable e) {       // one failed pass fails its requests, never the batcher
            fail(items, e);
            return;
        }
        for (int b = 0; b < items.size(); b++) items.get(b).complete(results[b]);
    }

    /** One small forward pass at start-up, so the first request does not pay for first-use set-up. */
    private static void warmUp(LoadedModel model) {
        int[] ids = model.tokenizer.encode("warm up").ids();
        Batch batch = Batch.pad(List.of(ids), model.padId());
        model.embed(batch);
        if (model.predicts()) model.outputs(batch);
    }

    /** Stops taking requests once the queue is empty, finishes what is queued, closes the model. */
    @Override
    public void close() {
        stopping = true;
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The inputs of one request and where their results go. */
    private static final class Work {
        final Kind kind;
        final float[][] results;
        final AtomicInteger remaining;
        final CompletableFuture<float[][]> done = new CompletableFuture<>();

        Work(Kind kind, int inputs) {
            this.kind = kind;
            this.results = new float[inputs][];
            this.remaining = new AtomicInteger(inputs);
        }
    }

    private record Item(Work work, int index, Tokens tokens) {
        int length() {
            return tokens.ids().length;
        }

        void complete(float[] result) {
            work.results[index] = result;
            if (work.remaining.decrementAndGet() == 0) work.done.complete(work.results);
        }
    }
}
