/*
 * What each endpoint does with a parsed request body, in text-embeddings-inference's shapes:
 * validate, tokenize on the request's own thread, hand the tokens to the model's batcher, wait,
 * and write the answer. Everything here is safe to run on many request threads at once; only the
 * batcher touches the model.
 */
package dev.kanna.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kanna.bert.Batch;
import dev.kanna.cli.JsonFloats;
import dev.kanna.data.Example;
import dev.kanna.task.SequenceClassification;
import dev.kanna.tokenizer.BertTokenizer;
import dev.kanna.tokenizer.Encoding;
import dev.kanna.trainer.FineTunedModel;
import dev.kanna.trainer.TrainingOutputs;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

final class Endpoints {
    private final Map<String, Batcher> models;    // served name → batcher, in --model order
    private final ServerOptions options;
    private final ObjectMapper json = new ObjectMapper();

    Endpoints(Map<String, Batcher> models, ServerOptions options) {
        this.models = models;
        this.options = options;
    }

    /**
     * The model a request names. One model serves every request whatever it names (clients that
     * always send a name, as OpenAI's do, work unchanged, as with TEI); with several, an absent
     * name means the first and an unknown one is a 404.
     */
    Batcher choose(String name) {
        if (models.size() == 1 || name == null) return models.values().iterator().next();
        Batcher b = models.get(name);
        if (b == null) {
            throw ApiException.notFound("unknown model '" + name + "'; this server has " + String.join(", ", models.keySet()));
        }
        return b;
    }

    /** POST /embed: one vector per input, L2-normalized unless "normalize": false. */
    String embed(JsonNode body) {
        Inputs.object(body);
        Batcher batcher = choose(Inputs.string(body, "model"));
        Inputs.Parsed parsed = Inputs.embed(Inputs.required(body, "inputs"), "inputs");
        float[][] vectors = embeddings(batcher, parsed.inputs(), Inputs.flag(body, "truncate", true),
                Inputs.flag(body, "normalize", true));
        StringBuilder out = new StringBuilder(vectors.length * vectors[0].length * 12);
        JsonFloats.append(out, vectors);
        return out.toString();
    }

    /** POST /v1/embeddings, OpenAI's shape; embeddings are normalized as OpenAI's are. */
    String openAiEmbeddings(JsonNode body) {
        Inputs.object(body);
        Batcher batcher = choose(Inputs.string(body, "model"));
        Inputs.Parsed parsed = Inputs.embed(Inputs.required(body, "input"), "input");
        String format = Inputs.string(body, "encoding_format");
        if (format != null && !format.equals("float") && !format.equals("base64")) {
            throw ApiException.badRequest("`encoding_format` must be float or base64, got '" + format + "'");
        }
        if (body.hasNonNull("dimensions")) throw ApiException.badRequest("`dimensions` is not supported");
        List<Batcher.Tokens> tokens = tokens(batcher.model(), parsed.inputs(), true);
        float[][] vectors = normalized(await(batcher.submit(Batcher.Kind.EMBED, tokens)));
        long used = 0;
        for (Batcher.Tokens t : tokens) used += t.ids().length;
        StringBuilder out = new StringBuilder(vectors.length * vectors[0].length * 12 + 200);
        out.append("{\"object\":\"list\",\"data\":[");
        for (int i = 0; i < vectors.length; i++) {
            out.append(i == 0 ? "" : ",").append("{\"object\":\"embedding\",\"embedding\":");
            if ("base64".equals(format)) out.append('"').append(base64(vectors[i])).append('"');
            else JsonFloats.append(out, vectors[i]);
            out.append(",\"index\":").append(i).append('}');
        }
        out.append("],\"model\":").append(quote(batcher.model().name))
                .append(",\"usage\":{\"prompt_tokens\":").append(used).append(",\"total_tokens\":").append(used).append("}}");
        return out.toString();
    }

    /**
     * POST /predict. Classification answers as TEI does: per input, every label with its
     * probability (its logit with "raw_scores": true), highest first. The other tasks answer with
     * the object `kanna predict` prints: {"entities": [...]}, {"labels", "probabilities"}, {"value"}.
     * A bare input gets its prediction; a batch gets a list of them.
     */
    String predict(JsonNode body) {
        Inputs.object(body);
        Batcher batcher = choose(Inputs.string(body, "model"));
        LoadedModel model = batcher.model();
        if (!model.predicts()) {
            throw ApiException.wrongModel("model '" + model.name + "' is an embedding model: it serves /embed; /predict"
                    + " needs a fine-tuned model (classification, token classification, multi-label, regression)");
        }
        Inputs.Parsed parsed = Inputs.predict(Inputs.required(body, "inputs"));
        boolean truncate = Inputs.flag(body, "truncate", true), raw = Inputs.flag(body, "raw_scores", false);
        boolean classifier = model.kind().equals(SequenceClassification.NAME);
        if (raw && !classifier) throw ApiException.badRequest("`raw_scores` applies to classification models only");
        limitCount(parsed.inputs().size());
        List<Example> examples = new ArrayList<>(parsed.inputs().size());
        for (Inputs.Input in : parsed.inputs()) {
            if (in.pair() != null && model.perToken()) {
                throw ApiException.badRequest("a token classification model takes single texts, not pairs");
            }
            examples.add(Example.unlabelled(in.text(), in.pair(), examples.size() + 1));
        }
        // A token classifier windows long inputs rather than cutting them, so nothing is too long for it.
        boolean check = !truncate && !model.perToken();
        FineTunedModel.Encoded encoded = model.fineTuned.encode(examples, check ? model.maxLength + 1 : model.maxLength);
        List<Batcher.Tokens> tokens = new ArrayList<>(encoded.data().size());
        for (int i = 0; i < encoded.data().size(); i++) {
            Batch one = encoded.data().batch(new int[]{i});
            if (check) limitLength(i, one.length(), model.maxLength);
            tokens.add(new Batcher.Tokens(one.inputIds(), one.tokenTypeIds()));
        }
        float[][] outputs = await(batcher.submit(Batcher.Kind.OUTPUTS, tokens));
        List<Object> answers = new ArrayList<>(outputs.length);
        List<Map<String, Object>> predictions = encoded.predictions().apply(outputs);
        for (int i = 0; i < predictions.size(); i++) {
            answers.add(classifier ? ranked(predictions.get(i), raw ? outputs[i] : null, model.fineTuned.labels())
                    : predictions.get(i));
        }
        return write(parsed.single() ? answers.getFirst() : answers);
    }

    /** POST /tokenize: per input its tokens as TEI lists them (byte offsets into the input; special tokens without). */
    String tokenize(JsonNode body) {
        Inputs.object(body);
        LoadedModel model = choose(Inputs.string(body, "model")).model();
        Inputs.Parsed parsed = Inputs.texts(Inputs.required(body, "inputs"));
        limitCount(parsed.inputs().size());
        boolean special = Inputs.flag(body, "add_special_tokens", true);
        List<List<Map<String, Object>>> out = new ArrayList<>();
        for (Inputs.Input in : parsed.inputs()) {
            Encoding e = model.plain.encode(in.text(), special);
            int[] bytes = utf8Offsets(in.text());
            List<Map<String, Object>> tokens = new ArrayList<>(e.size());
            for (int k = 0; k < e.size(); k++) {
                Map<String, Object> t = new LinkedHashMap<>();
                boolean isSpecial = e.specialTokensMask()[k] == 1;
                t.put("id", e.ids()[k]);
                t.put("text", isSpecial ? e.tokens()[k] : in.text().substring(e.utf16Starts()[k], e.utf16Ends()[k]));
                t.put("special", isSpecial);
                t.put("start", isSpecial ? null : bytes[e.utf16Starts()[k]]);
                t.put("stop", isSpecial ? null : bytes[e.utf16Ends()[k]]);
                tokens.add(t);
            }
            out.add(tokens);
        }
        return write(out);
    }

    /** GET /info[?model=NAME]: TEI's fields, plus the task and the names of every served model. */
    String info(String name) {
        LoadedModel model = choose(name).model();
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("model_id", model.dir.toString());
        info.put("model_sha", null);
        info.put("model_dtype", "float32");
        info.put("served_model_name", model.name);
        if (model.predicts()) {
            Map<String, Object> id2label = new LinkedHashMap<>(), label2id = new LinkedHashMap<>();
            List<String> labels = model.fineTuned.labels();
            for (int i = 0; i < labels.size(); i++) {
                id2label.put(Integer.toString(i), labels.get(i));
                label2id.put(labels.get(i), i);
            }
            info.put("model_type", Map.of("classifier", Map.of("id2label", id2label, "label2id", label2id)));
        } else {
            info.put("model_type", Map.of("embedding", Map.of("pooling", model.pooling.name().toLowerCase())));
        }
        info.put("task", model.kind());
        info.put("max_concurrent_requests", options.maxConcurrentRequests());
        info.put("max_input_length", model.maxLength);
        info.put("max_batch_tokens", options.maxBatchTokens());
        info.put("max_batch_requests", options.maxBatchSize() == 0 ? null : options.maxBatchSize());
        info.put("max_client_batch_size", options.maxClientBatchSize());
        info.put("auto_truncate", true);
        info.put("tokenization_workers", null);
        info.put("version", TrainingOutputs.version());
        info.put("sha", null);
        info.put("docker_label", null);
        info.put("models", List.copyOf(models.keySet()));
        return write(info);
    }

    // ---------------------------------------------------------------------------------------------

    private float[][] embeddings(Batcher batcher, List<Inputs.Input> inputs, boolean truncate, boolean normalize) {
        float[][] vectors = await(batcher.submit(Batcher.Kind.EMBED, tokens(batcher.model(), inputs, truncate)));
        return normalize ? normalized(vectors) : vectors;
    }

    /** Token ids of each input: texts through the model's tokenizer, ids as given (checked against the vocabulary). */
    private List<Batcher.Tokens> tokens(LoadedModel model, List<Inputs.Input> inputs, boolean truncate) {
        limitCount(inputs.size());
        BertTokenizer tokenizer = truncate ? model.truncating : model.overLong;
        int vocab = model.config.vocabSize();
        List<Batcher.Tokens> out = new ArrayList<>(inputs.size());
        for (int i = 0; i < inputs.size(); i++) {
            Inputs.Input in = inputs.get(i);
            int[] ids, types;
            if (in.ids() != null) {
                ids = in.ids();
                types = new int[ids.length];
                for (int id : ids) {
                    if (id >= vocab) throw ApiException.badRequest("input " + i + ": token id " + id
                            + " is outside the model's vocabulary of " + vocab);
                }
            } else {
                Encoding e = tokenizer.encode(in.text());
                ids = e.ids();
                types = e.typeIds();
            }
            if (ids.length == 0) throw ApiException.badRequest("input " + i + " encodes to no tokens");
            limitLength(i, ids.length, model.maxLength);
            out.add(new Batcher.Tokens(ids, types));
        }
        return out;
    }

    private void limitCount(int inputs) {
        if (inputs > options.maxClientBatchSize()) {
            throw ApiException.tooLarge("batch size " + inputs + " > maximum allowed batch size "
                    + options.maxClientBatchSize() + " (--max-client-batch-size)");
        }
    }

    private static void limitLength(int input, int tokens, int max) {
        if (tokens > max) {
            throw ApiException.tooLarge("input " + input + " has more than " + max + " tokens, the maximum input length;"
                    + " shorten it or send \"truncate\": true");
        }
    }

    private static float[][] await(CompletableFuture<float[][]> result) {
        try {
            return result.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ApiException api) throw api;
            throw new ApiException(500, "Backend", "inference failed: " + e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "Unhealthy", "interrupted while waiting for the model");
        }
    }

    /** Each vector scaled to unit L2 norm (sentence-transformers' Normalize: divided by max(norm, 1e-12)). */
    static float[][] normalized(float[][] vectors) {
        for (float[] v : vectors) {
            double sum = 0;
            for (float x : v) sum += (double) x * x;
            double scale = 1 / Math.max(Math.sqrt(sum), 1e-12);
            for (int k = 0; k < v.length; k++) v[k] = (float) (v[k] * scale);
        }
        return vectors;
    }

    /** TEI's classification answer: [{"score", "label"}, ...] for every label, highest first. */
    private static List<Map<String, Object>> ranked(Map<String, Object> prediction, float[] logits, List<String> labels) {
        List<Map<String, Object>> ranked = new ArrayList<>(labels.size());
        @SuppressWarnings("unchecked")
        Map<String, Double> probabilities = (Map<String, Double>) prediction.get("probabilities");
        for (int k = 0; k < labels.size(); k++) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("score", logits != null ? (double) logits[k] : probabilities.get(labels.get(k)));
            p.put("label", labels.get(k));
            ranked.add(p);
        }
        ranked.sort(Comparator.comparingDouble((Map<String, Object> p) -> (Double) p.get("score")).reversed());
        return ranked;
    }

    /** offsets[i]: UTF-8 bytes before UTF-16 index i of s (TEI's token offsets are byte offsets). */
    private static int[] utf8Offsets(String s) {
        int[] offsets = new int[s.length() + 1];
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            int bytes = c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;   // a pair: 4 bytes, 2 per half
            offsets[i + 1] = offsets[i] + bytes;
        }
        return offsets;
    }

    private static String base64(float[] v) {
        ByteBuffer bytes = ByteBuffer.allocate(v.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) bytes.putFloat(x);
        return Base64.getEncoder().encodeToString(bytes.array());
    }

    private String quote(String s) {
        return write(s);
    }

    String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
