/*
 * words() and wordPieces(): the pre-tokenized words of a text and the WordPiece tokens of one word,
 * the public view vocabulary tools use. Composed, they must give exactly the tokens encode() gives
 * (which the conformance corpus holds to HF), over every corpus text and configuration.
 */
package dev.kanna.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WordsTest {

    @Test
    void wordsAreNormalizedSplitAndSkipAddedTokens() {
        BertTokenizer uncased = Fixtures.tokenizer("uncased");
        assertEquals(List.of("hello", ",", "naive", "world", "!", "x"), uncased.words(" Hello,  naïve\tWORLD![SEP]x "));
        assertEquals(List.of(), uncased.words(""));
        assertEquals(List.of(), uncased.words("[CLS] \u0000 "));
        assertEquals(List.of("Hello", ",", "naïve"), Fixtures.tokenizer("cased").words("Hello, naïve"));
    }

    @Test
    void normalizeIsTheNormalizerAlone() {
        BertTokenizer uncased = Fixtures.tokenizer("uncased");
        assertEquals(" hello,  naive world [sep] ", uncased.normalize(" Hello,  naïve\tWORLD [SEP] "));
        assertEquals(" 中 ", uncased.normalize("中"));
    }

    @Test
    void wordPiecesFollowTheVocabulary() {
        BertTokenizer uncased = Fixtures.tokenizer("uncased");
        assertEquals(List.of("hello"), uncased.wordPieces("hello"));
        assertEquals(List.of("car", "##cino", "##ma"), uncased.wordPieces("carcinoma"));
        assertEquals(List.of("[UNK]"), uncased.wordPieces("a".repeat(101)));
        assertEquals(List.of(), uncased.wordPieces(""));
    }

    @ParameterizedTest
    @ValueSource(strings = {"uncased", "cased", "strip_only", "raw", "added"})
    void piecesOfTheWordsAreTheEncodedTokens(String config) {
        BertTokenizer tokenizer = Fixtures.tokenizer(config);
        List<String> addedContents = tokenizer.addedTokens().stream().map(AddedToken::content).toList();
        List<String> failures = new ArrayList<>();
        int checked = 0;
        for (JsonNode t : Fixtures.corpus().get("texts")) {
            String text = t.asText();
            // An added token in the text is encoded but is no word; such texts are left to the corpus test.
            if (addedContents.stream().anyMatch(a -> text.contains(a) || text.toLowerCase().contains(a.toLowerCase()))) {
                continue;
            }
            List<String> pieces = new ArrayList<>();
            for (String word : tokenizer.words(text)) pieces.addAll(tokenizer.wordPieces(word));
            List<String> encoded = Arrays.asList(tokenizer.encode(text, false).tokens());
            checked++;
            if (!pieces.equals(encoded) && failures.size() < 5) failures.add(text + "\n  " + pieces + "\n  " + encoded);
        }
        assertTrue(checked > 4000, "texts checked: " + checked);
        assertTrue(failures.isEmpty(), config + ": " + String.join("\n", failures));
    }
}
