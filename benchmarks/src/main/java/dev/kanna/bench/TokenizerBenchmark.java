/*
 * Single-threaded encode throughput (tokens/s) of the BERT tokenizer over the tokenizer conformance
 * corpus: 5,182 texts, MiniLM tokenizer.json, special tokens added, no truncation or padding. The
 * peer is benchmarks/peers/tokenizer_hf.py (HF tokenizers on one thread, same files); see
 * benchmarks/README.md for how the two are run side by side.
 */
package dev.kanna.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kanna.tokenizer.BertTokenizer;
import dev.kanna.tokenizer.Encoding;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;

@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 10, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-XX:+UseParallelGC", "-Xms1g", "-Xmx1g"})
@State(Scope.Benchmark)
public class TokenizerBenchmark {

    /** Files of the conformance fixtures, relative to the repository root (run from there). */
    @Param("tokenizer/src/test/resources/dev/kanna/tokenizer/minilm/tokenizer.json.gz")
    public String tokenizerJson;

    @Param("tokenizer/src/test/resources/dev/kanna/tokenizer/conformance/corpus.json.gz")
    public String corpus;

    private BertTokenizer tokenizer;
    private List<String> texts;

    /** Tokens produced, reported by JMH as a rate: the benchmark's tokens/s. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Tokens {
        public long tokens;

        @Setup(Level.Iteration)
        public void reset() {
            tokens = 0;
        }
    }

    @Setup
    public void load() throws IOException {
        Path json = Files.createTempFile("kanna-bench-tokenizer", ".json");
        try (InputStream in = new GZIPInputStream(Files.newInputStream(Path.of(tokenizerJson)))) {
            Files.write(json, in.readAllBytes());
        }
        tokenizer = BertTokenizer.load(json).withoutTruncation().withoutPadding();
        Files.delete(json);
        JsonNode root;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(Path.of(corpus)))) {
            root = new ObjectMapper().readTree(in);
        }
        texts = new ArrayList<>();
        root.get("texts").forEach(t -> texts.add(t.asText()));
        long tokens = 0, chars = 0;
        for (String t : texts) {
            tokens += tokenizer.encode(t).size();
            chars += t.length();
        }
        System.out.printf("%n%d texts, %d UTF-16 units, %d tokens per pass%n", texts.size(), chars, tokens);
    }

    /** One pass over the corpus on one thread, text by text. */
    @Benchmark
    public void encode(Tokens counter, Blackhole blackhole) {
        for (String text : texts) {
            Encoding e = tokenizer.encode(text);
            counter.tokens += e.size();
            blackhole.consume(e);
        }
    }

    /** One pass with encodeBatch on all cores (for reference; the single-threaded number is the claim). */
    @Benchmark
    public void encodeBatchAllCores(Tokens counter, Blackhole blackhole) {
        List<Encoding> all = tokenizer.encodeBatch(texts);
        for (Encoding e : all) counter.tokens += e.size();
        blackhole.consume(all);
    }
}
