/*
 * The model vocabulary: token ↔ id in both directions. Ids index an array; ids with no token (a
 * sparse vocabulary) read as null.
 */
package dev.kanna.tokenizer;

import java.util.Map;

final class Vocabulary {

    /** Largest id accepted: keeps a hostile file from making us allocate a huge id table. */
    static final int MAX_ID = (1 << 24) - 1;

    private final Map<String, Integer> ids;
    private final String[] tokens;

    /**
     * @param tokenToId token → id, ids in [0, MAX_ID] (checked by the caller); the map is taken
     *                  over, not copied. A repeated id keeps the token that comes last in the map.
     */
    Vocabulary(Map<String, Integer> tokenToId) {
        this.ids = tokenToId;
        int limit = 0;
        for (int id : tokenToId.values()) limit = Math.max(limit, id + 1);
        this.tokens = new String[limit];
        tokenToId.forEach((token, id) -> tokens[id] = token);
    }

    /** Id of token, or -1. */
    int id(String token) {
        Integer id = ids.get(token);
        return id != null ? id : -1;
    }

    /** Token of id, or null. */
    String token(int id) {
        return id >= 0 && id < tokens.length ? tokens[id] : null;
    }

    int size() {
        return ids.size();
    }

    /** One past the largest id. */
    int idLimit() {
        return tokens.length;
    }
}
