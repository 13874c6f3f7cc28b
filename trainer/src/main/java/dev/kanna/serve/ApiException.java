/*
 * A request the server answers with an error: the HTTP status, text-embeddings-inference's error
 * type (Validation, Empty, Overloaded, Backend, Unhealthy, Tokenizer, spelled as TEI's JSON spells
 * them) and one line saying what was wrong. Thrown anywhere while handling a request; the server
 * turns it into {"error": message, "error_type": type}.
 */
package dev.kanna.serve;

final class ApiException extends RuntimeException {
    final int status;
    final String type;

    ApiException(int status, String type, String message) {
        super(message, null, false, false);   // an answer to a client, not a fault: no stack trace
        this.status = status;
        this.type = type;
    }

    /** 400: unreadable or incomplete request. */
    static ApiException badRequest(String message) {
        return new ApiException(400, "Validation", message);
    }

    /** 400: a batch with nothing in it. */
    static ApiException empty(String message) {
        return new ApiException(400, "Empty", message);
    }

    /** 404: a route or model that does not exist. */
    static ApiException notFound(String message) {
        return new ApiException(404, "Validation", message);
    }

    /** 413: over a size limit (body, inputs per request, tokens per input). */
    static ApiException tooLarge(String message) {
        return new ApiException(413, "Validation", message);
    }

    /** 424: asked of a model that cannot do it (TEI's answer to /predict on an embedding model). */
    static ApiException wrongModel(String message) {
        return new ApiException(424, "Backend", message);
    }
}
