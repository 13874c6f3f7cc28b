/*
 * The input shapes of text-embeddings-inference's requests, read from a parsed JSON body:
 *
 *   /embed, /v1/embeddings   "text" | [ids...] | ["text" | [ids...], ...]
 *   /predict                 "text" | ["text", "pair"] | [["text"] | ["text", "pair"], ...]
 *   /tokenize                "text" | ["text", ...]
 *
 * (so in /predict a list of two strings is one text pair, as in TEI: a batch is a list of lists).
 * A wrong shape is a 400 naming the field and what it takes.
 */
package dev.kanna.serve;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

final class Inputs {
    private Inputs() {
    }

    /** One input: a text (and, in /predict, a second text), or token ids given as they are. */
    record Input(String text, String pair, int[] ids) {
        static Input text(String text) {
            return new Input(text, null, null);
        }
    }

    /** The inputs of a request and whether it sent one input bare (the answer then is not wrapped in a list). */
    record Parsed(List<Input> inputs, boolean single) {
    }

    /** The request body as an object. */
    static JsonNode object(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw ApiException.badRequest("expected a JSON object as the request body");
        }
        return body;
    }

    static JsonNode required(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) throw ApiException.badRequest("missing field `" + field + "`");
        return value;
    }

    /** A boolean field, or fallback when absent or null. */
    static boolean flag(JsonNode body, String field, boolean fallback) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) return fallback;
        if (!value.isBoolean()) throw ApiException.badRequest("`" + field + "` must be true or false, got " + value);
        return value.booleanValue();
    }

    /** An optional string field (null when absent). */
    static String string(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) return null;
        if (!value.isTextual()) throw ApiException.badRequest("`" + field + "` must be a string, got " + value);
        return value.textValue();
    }

    /** /embed and /v1/embeddings: a text or token ids, or a list of them. */
    static Parsed embed(JsonNode node, String field) {
        if (node.isTextual()) return new Parsed(List.of(Input.text(node.textValue())), true);
        if (!node.isArray()) throw shape(field, "a string, a list of token ids, or a list of those");
        if (node.isEmpty()) throw ApiException.empty("`" + field + "` cannot be empty");
        if (node.get(0).isNumber()) return new Parsed(List.of(new Input(null, null, ids(node, field))), true);
        List<Input> inputs = new ArrayList<>(node.size());
        for (JsonNode item : node) {
            if (item.isTextual()) inputs.add(Input.text(item.textValue()));
            else if (item.isArray()) inputs.add(new Input(null, null, ids(item, field)));
            else throw shape(field, "a string, a list of token ids, or a list of those");
        }
        return new Parsed(inputs, false);
    }

    /** /predict: a text, a text pair, or a list of [text] and [text, pair]. */
    static Parsed predict(JsonNode node) {
        if (node.isTextual()) return new Parsed(List.of(Input.text(node.textValue())), true);
        String expected = "a string, a pair of strings [string, string], or a batch [[string], [string, string], ...]";
        if (!node.isArray()) throw shape("inputs", expected);
        if (node.isEmpty()) throw ApiException.empty("`inputs` cannot be empty");
        if (node.get(0).isTextual()) return new Parsed(List.of(sequence(node, expected)), true);
        List<Input> inputs = new ArrayList<>(node.size());
        for (JsonNode item : node) inputs.add(sequence(item, expected));
        return new Parsed(inputs, false);
    }

    /** /tokenize: a text or a list of texts. */
    static Parsed texts(JsonNode node) {
        if (node.isTextual()) return new Parsed(List.of(Input.text(node.textValue())), true);
        if (!node.isArray()) throw shape("inputs", "a string or a list of strings");
        if (node.isEmpty()) throw ApiException.empty("`inputs` cannot be empty");
        List<Input> inputs = new ArrayList<>(node.size());
        for (JsonNode item : node) {
            if (!item.isTextual()) throw shape("inputs", "a string or a list of strings");
            inputs.add(Input.text(item.textValue()));
        }
        return new Parsed(inputs, false);
    }

    /** [text] or [text, pair]. */
    private static Input sequence(JsonNode node, String expected) {
        if (!node.isArray() || node.isEmpty() || node.size() > 2) throw shape("inputs", expected);
        for (JsonNode s : node) if (!s.isTextual()) throw shape("inputs", expected);
        return new Input(node.get(0).textValue(), node.size() == 2 ? node.get(1).textValue() : null, null);
    }

    private static int[] ids(JsonNode node, String field) {
        if (node.isEmpty()) throw ApiException.badRequest("`" + field + "`: a list of token ids cannot be empty");
        int[] ids = new int[node.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonNode id = node.get(i);
            if (!id.canConvertToInt() || !id.isIntegralNumber() || id.intValue() < 0) {
                throw ApiException.badRequest("`" + field + "`: token ids must be integers ≥ 0, got " + id);
            }
            ids[i] = id.intValue();
        }
        return ids;
    }

    private static ApiException shape(String field, String expected) {
        return ApiException.badRequest("`" + field + "` must be " + expected);
    }
}
