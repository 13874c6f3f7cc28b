/*
 * The server answers what the command line prints: /embed and /v1/embeddings against `kanna embed`,
 * /predict against `kanna predict` for each task's tiny trained directory, /tokenize against the
 * model's tokenizer; /info, /health and /metrics; requests choose among several models by name.
 * One server on a loopback port for the class, serving the tiny fixtures.
 */
package dev.kanna.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kanna.serve.Server;
import dev.kanna.serve.ServerOptions;
import dev.kanna.tokenizer.BertTokenizer;
import dev.kanna.tokenizer.Encoding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(120)
class ServeParityTest {
    /** 1e-5 abs: the same kernels, but batches padded to other lengths sum attention rows in another order. */
    static final double TOLERANCE = 1e-5;
    static final List<String> TEXTS = List.of(
            "Subject: cheap meds, no prescription needed, order today",
            "Hi team, the meeting moves to Thursday at 10.",
            "Winning numbers! Claim your prize now at www.example.com ★ limited offer",
            "ok",
            "Among women with breast cancer and a family history of the disease, the percentage with BRCA1 coding-region"
                    + " mutations is less than the 45 percent predicted by linkage analysis.",
            "The mutant ARSA is correctly targeted to the lysosomes but is unstable.");
    static final ObjectMapper JSON = new ObjectMapper();

    static Server server;
    static HttpClient http;
    static String base;

    static Path fixture(String name) {
        return TinyFixtures.root().resolve(name);
    }

    @BeforeAll
    static void start() throws Exception {
        List<Server.ModelSpec> models = List.of(
                new Server.ModelSpec("emb", fixture("model")),
                new Server.ModelSpec("cls", fixture("trained")),
                new Server.ModelSpec("ner", fixture("trained-token")),
                new Server.ModelSpec("ml", fixture("trained-multilabel")),
                new Server.ModelSpec("reg", fixture("trained-regression")));
        server = Server.start(ServerOptions.defaults().withPort(0).withDevice("cpu", 2), models, line -> { });
        http = HttpClient.newHttpClient();
        base = "http://127.0.0.1:" + server.port();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
        if (http != null) http.close();
    }

    static HttpResponse<String> post(String path, Object body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path))
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode ok(HttpResponse<String> response) throws Exception {
        assertEquals(200, response.statusCode(), response.body());
        return JSON.readTree(response.body());
    }

    static String lines(List<String> texts) {
        return String.join("\n", texts) + "\n";
    }

    @Test
    void embedEqualsKannaEmbed() throws Exception {
        CliRun cli = CliRun.withInput(lines(TEXTS), "embed", "--model", fixture("model").toString(), "--device", "cpu");
        assertEquals(0, cli.exitCode(), cli.err());
        List<String> expected = cli.outLines();
        JsonNode raw = ok(post("/embed", Map.of("inputs", TEXTS, "normalize", false, "model", "emb")));
        JsonNode unit = ok(post("/embed", Map.of("inputs", TEXTS, "model", "emb")));
        assertEquals(TEXTS.size(), raw.size());
        for (int i = 0; i < TEXTS.size(); i++) {
            float[] want = floats(JSON.readTree(expected.get(i)));
            assertClose(want, floats(raw.get(i)), "input " + i);
            assertClose(unit(want), floats(unit.get(i)), "input " + i + ", normalized");
            JsonNode single = ok(post("/embed", Map.of("inputs", TEXTS.get(i), "model", "emb")));
            assertEquals(1, single.size(), "a bare input still gets a list of one vector, as TEI answers");
            assertClose(unit(want), floats(single.get(0)), "input " + i + " alone");
        }
    }

    @Test
    void openAiEmbeddingsAreNormalizedWithUsage() throws Exception {
        JsonNode embed = ok(post("/embed", Map.of("inputs", TEXTS.subList(0, 2), "model", "emb")));
        JsonNode answer = ok(post("/v1/embeddings", Map.of("input", TEXTS.subList(0, 2), "model", "emb")));
        assertEquals("list", answer.get("object").asText());
        assertEquals("emb", answer.get("model").asText());
        for (int i = 0; i < 2; i++) {
            JsonNode item = answer.get("data").get(i);
            assertEquals("embedding", item.get("object").asText());
            assertEquals(i, item.get("index").asInt());
            assertClose(floats(embed.get(i)), floats(item.get("embedding")), "input " + i);
        }
        BertTokenizer tokenizer = BertTokenizer.load(fixture("model"));
        int tokens = tokenizer.encode(TEXTS.get(0)).size() + tokenizer.encode(TEXTS.get(1)).size();
        assertEquals(tokens, answer.get("usage").get("prompt_tokens").asInt());
        assertEquals(tokens, answer.get("usage").get("total_tokens").asInt());
    }

    @Test
    void classificationPredictEqualsKannaPredictInTeisShape() throws Exception {
        List<JsonNode> expected = predictions("trained");
        List<List<String>> batch = TEXTS.stream().map(List::of).toList();
        JsonNode answer = ok(post("/predict", Map.of("inputs", batch, "model", "cls")));
        for (int i = 0; i < TEXTS.size(); i++) {
            JsonNode ranked = answer.get(i);
            JsonNode probabilities = expected.get(i).get("probabilities");
            assertEquals(probabilities.size(), ranked.size());
            assertEquals(expected.get(i).get("label").asText(), ranked.get(0).get("label").asText(), "top label of " + i);
            for (JsonNode p : ranked) {
                assertEquals(probabilities.get(p.get("label").asText()).asDouble(), p.get("score").asDouble(), TOLERANCE);
            }
            assertTrue(ranked.get(0).get("score").asDouble() >= ranked.get(1).get("score").asDouble(), "highest first");
        }
        JsonNode single = ok(post("/predict", Map.of("inputs", TEXTS.get(0), "model", "cls")));
        assertEquals(answer.get(0).get(0).get("label"), single.get(0).get("label"), "a bare input gets one ranked list");
    }

    @Test
    void otherTasksPredictEqualsKannaPredict() throws Exception {
        for (String[] task : new String[][]{{"ner", "trained-token"}, {"ml", "trained-multilabel"}, {"reg", "trained-regression"}}) {
            List<JsonNode> expected = predictions(task[1]);
            List<List<String>> batch = TEXTS.stream().map(List::of).toList();
            JsonNode answer = ok(post("/predict", Map.of("inputs", batch, "model", task[0])));
            assertEquals(TEXTS.size(), answer.size());
            for (int i = 0; i < TEXTS.size(); i++) assertSame(expected.get(i), answer.get(i), task[0] + " input " + i);
        }
    }

    @Test
    void tokenizeListsTokensWithByteOffsets() throws Exception {
        String text = "Héllo wörld ★ ok";
        JsonNode answer = ok(post("/tokenize", Map.of("inputs", text, "model", "emb")));
        Encoding e = BertTokenizer.load(fixture("model")).encode(text);
        JsonNode tokens = answer.get(0);
        assertEquals(e.size(), tokens.size());
        byte[] utf8 = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        for (int k = 0; k < e.size(); k++) {
            JsonNode t = tokens.get(k);
            assertEquals(e.ids()[k], t.get("id").asInt());
            assertEquals(e.specialTokensMask()[k] == 1, t.get("special").asBoolean());
            if (!t.get("special").asBoolean()) {
                String slice = new String(utf8, t.get("start").asInt(), t.get("stop").asInt() - t.get("start").asInt(),
                        java.nio.charset.StandardCharsets.UTF_8);
                assertEquals(t.get("text").asText(), slice, "token " + k + " text is its bytes of the input");
            }
        }
    }

    @Test
    void infoHealthAndMetrics() throws Exception {
        JsonNode info = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(base + "/info?model=ner")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        assertEquals("ner", info.get("served_model_name").asText());
        assertEquals("token-classification", info.get("task").asText());
        assertEquals("O", info.get("model_type").get("classifier").get("id2label").get("4").asText());
        assertEquals(128, info.get("max_input_length").asInt());
        JsonNode first = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(base + "/info")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        assertEquals("mean", first.get("model_type").get("embedding").get("pooling").asText());
        assertEquals(200, http.send(HttpRequest.newBuilder(URI.create(base + "/health")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode());
        ok(post("/embed", Map.of("inputs", "warm", "model", "emb")));
        String metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        for (String series : List.of("kanna_requests_total{endpoint=\"/embed\",status=\"200\"}",
                "kanna_request_duration_seconds_bucket{endpoint=\"/embed\",le=\"+Inf\"}",
                "kanna_batch_size_count{model=\"emb\"}", "kanna_tokens_total{model=\"emb\"}",
                "kanna_queue_depth{model=\"emb\"} 0", "kanna_requests_in_flight ")) {
            assertTrue(metrics.contains(series), series + " in\n" + metrics);
        }
    }

    @Test
    void modelsAreChosenByName() throws Exception {
        JsonNode byDefault = ok(post("/embed", Map.of("inputs", "ok")));
        JsonNode named = ok(post("/embed", Map.of("inputs", "ok", "model", "emb")));
        assertEquals(byDefault, named, "no name: the first model");
        JsonNode encoder = ok(post("/embed", Map.of("inputs", "ok", "model", "cls")));
        assertEquals(32, encoder.get(0).size(), "a fine-tuned model embeds with its encoder");
        HttpResponse<String> unknown = post("/embed", Map.of("inputs", "ok", "model", "nope"));
        assertEquals(404, unknown.statusCode());
        assertEquals("unknown model 'nope'; this server has emb, cls, ner, ml, reg", JSON.readTree(unknown.body()).get("error").asText());
        HttpResponse<String> embeddingOnly = post("/predict", Map.of("inputs", "ok", "model", "emb"));
        assertEquals(424, embeddingOnly.statusCode(), embeddingOnly.body());
    }

    // ---------------------------------------------------------------------------------------------

    /** `kanna predict` on TEXTS, one JSON object per line. */
    private static List<JsonNode> predictions(String dir) throws Exception {
        CliRun cli = CliRun.withInput(lines(TEXTS), "predict", "--model", fixture(dir).toString(), "--device", "cpu");
        assertEquals(0, cli.exitCode(), cli.err());
        List<JsonNode> out = new ArrayList<>();
        for (String line : cli.outLines()) out.add(JSON.readTree(line));
        assertEquals(TEXTS.size(), out.size());
        return out;
    }

    /** Equal JSON, numbers within TOLERANCE. */
    private static void assertSame(JsonNode expected, JsonNode actual, String where) {
        if (expected.isNumber()) {
            assertTrue(actual.isNumber(), where + ": " + actual);
            assertEquals(expected.asDouble(), actual.asDouble(), TOLERANCE, where);
        } else if (expected instanceof ObjectNode o) {
            assertEquals(JSON.valueToTree(iterable(o.fieldNames())), JSON.valueToTree(iterable(actual.fieldNames())), where);
            o.fields().forEachRemaining(f -> assertSame(f.getValue(), actual.get(f.getKey()), where + "." + f.getKey()));
        } else if (expected instanceof ArrayNode a) {
            assertEquals(a.size(), actual.size(), where);
            for (int i = 0; i < a.size(); i++) assertSame(a.get(i), actual.get(i), where + "[" + i + "]");
        } else {
            assertEquals(expected, actual, where);
        }
    }

    private static List<String> iterable(Iterator<String> it) {
        List<String> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    static float[] floats(JsonNode array) {
        float[] v = new float[array.size()];
        for (int i = 0; i < v.length; i++) v[i] = (float) array.get(i).asDouble();
        return v;
    }

    private static float[] unit(float[] v) {
        double sum = 0;
        for (float x : v) sum += (double) x * x;
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) out[i] = (float) (v[i] / Math.sqrt(sum));
        return out;
    }

    private static void assertClose(float[] expected, float[] actual, String where) {
        assertEquals(expected.length, actual.length, where);
        for (int k = 0; k < expected.length; k++) assertEquals(expected[k], actual[k], TOLERANCE, where + " [" + k + "]");
    }
}
