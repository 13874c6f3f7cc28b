/*
 * HF's WordPiece decoder: joins tokens with spaces except before continuation pieces (whose prefix
 * is removed), then, with cleanup on, glues common punctuation and English contractions back.
 * Cleanup works per token, exactly as HF's, so " 's" is only fixed inside one token.
 */
package dev.kanna.tokenizer;

import java.util.List;

record WordPieceDecoder(String prefix, boolean cleanup) {

    String decode(List<String> tokens) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < tokens.size(); i++) {
            String token = tokens.get(i);
            if (i != 0) {
                token = token.startsWith(prefix) ? token.substring(prefix.length())
                        : " " + token;
            }
            if (cleanup) token = cleanup(token);
            out.append(token);
        }
        return out.toString();
    }

    /** HF's decoders::wordpiece::cleanup, applied in the same order. */
    static String cleanup(String s) {
        return s.replace(" .", ".")
                .replace(" ?", "?")
                .replace(" !", "!")
                .replace(" ,", ",")
                .replace(" ' ", "'")
                .replace(" n't", "n't")
                .replace(" 'm", "'m")
                .replace(" do not", " don't")
                .replace(" 's", "'s")
                .replace(" 've", "'ve")
                .replace(" 're", "'re");
    }
}
