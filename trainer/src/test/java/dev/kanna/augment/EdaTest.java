/*
 * EDA's operations on tiny inputs with scripted draws (Draws), each expected output worked out by
 * hand from the reference implementation's rules (eda.py) as Eda's header restates them, and
 * properties over many seeds: deletion never empties a text, synonym replacement changes exactly
 * n = max(1, ⌊alpha·words⌋) distinct words when that many have synonyms, protected terms survive
 * every operation whole.
 */
package dev.kanna.augment;

import dev.kanna.data.Example;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

class EdaTest {
    @TempDir
    Path tmp;

    private Lexicon lexicon(String... lines) throws IOException {
        Path file = tmp.resolve("lexicon-" + System.nanoTime() + ".tsv");
        Files.writeString(file, String.join("\n", lines) + "\n");
        return Lexicon.read(file);
    }

    private static List<String> words(String text) {
        return Words.split(text);
    }

    private static String text(List<String> words) {
        return String.join(" ", words);
    }

    @Test
    void countsAreTheReferencesMaxOneOrAlphaTimesWords() {
        assertEquals(1, Eda.count(0.1, 0));
        assertEquals(1, Eda.count(0.1, 9));
        assertEquals(1, Eda.count(0.1, 10));   // int(0.1 * 10) = 1
        assertEquals(2, Eda.count(0.1, 25));
        assertEquals(5, Eda.count(0.5, 11));
    }

    @Test
    void swapExchangesTwoPositionsRedrawingTheSecondWhileItEqualsTheFirst() {
        Eda eda = new Eda(Synonyms.NONE, ProtectedTerms.NONE);
        // first 0; second 0 (the same: drawn again), then 2 → positions 0 and 2 swap
        Draws draws = Draws.of(0, 0, 2);
        assertEquals("c b a d", text(eda.randomSwap(words("a b c d"), 1, draws)));
        assertEquals(0, draws.left());
        // two swaps: (1, 3) → a d c b, then (0, 1) → d a c b
        assertEquals("d a c b", text(eda.randomSwap(words("a b c d"), 2, Draws.of(1, 3, 0, 1))));
    }

    @Test
    void swapGivesUpOnTheFourthDrawOfTheSecondPositionWhateverItDraws() {
        Eda eda = new Eda(Synonyms.NONE, ProtectedTerms.NONE);
        Draws draws = Draws.of(1, 1, 1, 1, 0);   // first 1; 1, 1, 1 equal; the fourth draw (0) ends the swap unmade
        assertEquals("a b", text(eda.randomSwap(words("a b"), 1, draws)));
        assertEquals(0, draws.left());
        assertEquals("alone", text(eda.randomSwap(words("alone"), 1, Draws.of(0, 0, 0, 0, 0))));
    }

    @Test
    void deletionDropsWordsWhoseDrawIsAtMostAlpha() {
        Eda eda = new Eda(Synonyms.NONE, ProtectedTerms.NONE);
        // kept when the draw is > p: 0.9 keeps, 0.2 deletes, 0.7 keeps, 0.5 (= p) deletes
        assertEquals("w1 w3", text(eda.randomDeletion(words("w1 w2 w3 w4"), 0.5, Draws.of(0.9, 0.2, 0.7, 0.5))));
        // everything deleted: one word drawn at random stays
        assertEquals("w3", text(eda.randomDeletion(words("w1 w2 w3 w4"), 0.5, Draws.of(0.0, 0.1, 0.2, 0.3, 2))));
        // a single word is never deleted, and draws nothing
        Draws none = Draws.of();
        assertEquals("alone", text(eda.randomDeletion(words("alone"), 1.0, none)));
    }

    @Test
    void deletionNeverEmptiesAText() {
        Eda eda = new Eda(Synonyms.NONE, ProtectedTerms.NONE);
        for (int seed = 0; seed < 300; seed++) {
            SplittableRandom random = new SplittableRandom(seed);
            List<String> in = words("one two three four five".substring(0, 3 + seed % 20));
            for (double p : new double[]{0.1, 0.5, 0.9, 1.0}) {
                List<String> out = eda.randomDeletion(in, p, random);
                assertFalse(out.isEmpty(), "seed " + seed + " p " + p);
                assertTrue(in.containsAll(out));
            }
        }
    }

    @Test
    void synonymReplacementShufflesTheCandidatesAndReplacesTheFirstNEverywhere() throws IOException {
        Eda eda = new Eda(lexicon("cat\tfeline", "dog\thound\tpooch", "ran\tsprinted"), ProtectedTerms.NONE);
        List<String> in = words("the cat saw the dog and the cat ran");
        // candidates in first-seen order: cat, dog, ran (the/and are stop words, saw has no synonym).
        // shuffle: i=2 draws 0 → [ran, dog, cat]; i=1 draws 1 → unchanged. n=2: ran → sprinted (0), dog → pooch (1).
        Draws draws = Draws.of(0, 1, 0, 1);
        assertEquals("the cat saw the pooch and the cat sprinted", text(eda.synonymReplacement(in, 2, draws)));
        assertEquals(0, draws.left());
        // shuffle leaves [cat, dog, ran]; n=1: cat → feline, at both of its places
        assertEquals("the feline saw the dog and the feline ran", text(eda.synonymReplacement(in, 1, Draws.of(2, 1, 0))));
    }

    @Test
    void synonymReplacementKeepsPunctuationAndCapitalAndTakesMultiWordTerms() throws IOException {
        Eda eda = new Eda(lexicon("heart attack\tmyocardial infarction", "cheap\tlow-cost"), ProtectedTerms.NONE);
        // "Heart attack," is one term (its key "heart attack"); one candidate: the shuffle draws nothing
        assertEquals("Myocardial infarction, he said.",
                text(eda.synonymReplacement(words("Heart attack, he said."), 1, Draws.of(0))));
        assertEquals("(Low-cost!)", text(eda.synonymReplacement(words("(Cheap!)"), 1, Draws.of(0))));
    }

    @Test
    void synonymReplacementChangesExactlyNDistinctWords() throws IOException {
        List<String> lines = new ArrayList<>(), text = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            lines.add("word" + i + "\tsynonym" + i);
            text.add("word" + i);
        }
        Eda eda = new Eda(lexicon(lines.toArray(String[]::new)), ProtectedTerms.NONE);
        for (int seed = 0; seed < 100; seed++) {
            int n = Eda.count(0.1, text.size());   // 2
            List<String> out = eda.synonymReplacement(text, n, new SplittableRandom(seed));
            assertEquals(text.size(), out.size());
            long changed = 0;
            for (int i = 0; i < text.size(); i++) {
                if (!out.get(i).equals(text.get(i))) {
                    assertEquals("synonym" + i, out.get(i));
                    changed++;
                }
            }
            assertEquals(2, changed, "seed " + seed);
        }
    }

    @Test
    void insertionPutsARandomTermsSynonymBeforeARandomPosition() throws IOException {
        Eda eda = new Eda(lexicon("cat\tfeline"), ProtectedTerms.NONE);
        // term 1 (cat) has synonyms; its synonym 0; position 0
        Draws draws = Draws.of(1, 0, 0);
        assertEquals("feline a cat sat", text(eda.randomInsertion(words("a cat sat"), 1, draws)));
        assertEquals(0, draws.left());
        // position 2 of 3: before the last word, never after it
        assertEquals("a cat feline sat", text(eda.randomInsertion(words("a cat sat"), 1, Draws.of(1, 0, 2))));
        // no term with synonyms: ten draws, then nothing is inserted
        Draws tries = Draws.of(0, 1, 0, 1, 0, 1, 0, 1, 0, 1);
        assertEquals("the a", text(eda.randomInsertion(words("the a"), 1, tries)));
        assertEquals(0, tries.left());
    }

    @Test
    void protectedTermsAndStopWordsAreNeverReplacedAndProtectedTermsNeverSplitOrDeleted() throws IOException {
        Synonyms everything = lexicon("new\tfresh", "york\tyorkshire", "cat\tfeline", "big\tlarge", "is\tremains",
                "sat\trested", "the\tthat");
        Eda eda = new Eda(everything, ProtectedTerms.of(List.of("New York", "cat")));
        List<String> in = words("the cat sat in New York and New York is big");
        for (int seed = 0; seed < 200; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            for (List<String> out : List.of(eda.synonymReplacement(in, 5, r), eda.randomInsertion(in, 3, r),
                    eda.randomSwap(in, 3, r), eda.randomDeletion(in, 0.9, r))) {
                String joined = " " + text(out) + " ";
                int whole = 0;
                for (int i = 0; i + 1 < out.size(); i++) if (out.get(i).equals("New") && out.get(i + 1).equals("York")) whole++;
                assertEquals(2, whole, "New York twice, whole: " + joined);
                assertEquals(2, out.stream().filter("New"::equals).count(), joined);
                assertEquals(2, out.stream().filter("York"::equals).count(), joined);
                assertTrue(joined.contains(" cat "), joined);
                assertFalse(joined.contains("feline") || joined.contains("fresh") || joined.contains("yorkshire"), joined);
                assertFalse(joined.contains("remains"), "a stop word is never replaced: " + joined);
                assertFalse(joined.contains(" that "), "a stop word is never replaced: " + joined);
            }
        }
    }

    @Test
    void aTextAugmentationMakesEachOperationsShareShufflesAndKeepsTheFirstN() {
        Augmentation a = new Augmentation(new AugmentSettings(1, 0.1, List.of(Operation.SWAP), null, null, false),
                Synonyms.NONE, ProtectedTerms.NONE);
        TextAugmenter augmenter = new TextAugmenter(a, "sequence-classification");
        // ⌊1/1⌋ + 1 = 2 swaps of whole sentences (3 sentences: n = 1 each), then a shuffle of the two, then the first kept:
        // swap 1: sentences 0 and 2; swap 2: 1, then 1 again (redrawn), 0; shuffle: i=1 draws 0 → [swap 2, swap 1]
        Draws draws = Draws.of(0, 2, 1, 1, 0, 0);
        List<Example> out = augmenter.augment(new Example("First one. Second one.\n\nThird one.", null, List.of("x"), 7),
                1, draws);
        assertEquals(List.of(new Example("Second one. First one.\n\nThird one.", null, List.of("x"), 7)), out);
        assertEquals(0, draws.left());
    }

    @Test
    void everyTextGetsExactlyNNewOnesWhateverTheOperations() throws IOException {
        Synonyms synonyms = lexicon("one\tuno", "five\tcinco");
        for (List<Operation> ops : List.of(Operation.TEXT, List.of(Operation.SWAP, Operation.DELETE), List.of(Operation.DELETE))) {
            TextAugmenter augmenter = new TextAugmenter(new Augmentation(new AugmentSettings(1, 0.2, ops, null, null, false),
                    synonyms, ProtectedTerms.NONE), "sequence-classification");
            for (int n = 1; n <= 9; n++) {
                assertEquals(n, augmenter.augment("one two three. Four five six.", n, new SplittableRandom(n)).size());
            }
        }
    }

    @Test
    void sentencesRejoinToTheTextAndSplitAtBlankLines() {
        String text = "  Hello there. this goes on! Then a list\nwith a line break\n\n Next paragraph?  Yes. ";
        List<String> pieces = Words.sentences(text);
        assertEquals(text, String.join("", pieces));
        List<String> sentences = new ArrayList<>();
        for (int i = 1; i < pieces.size(); i += 2) sentences.add(pieces.get(i));
        assertEquals(List.of("Hello there. this goes on!", "Then a list\nwith a line break", "Next paragraph?", "Yes."),
                sentences);
        assertEquals(List.of(""), Words.sentences(""));
    }

    @Test
    void keysAreLowerCaseLettersAndDigitsWithoutTheirPunctuation() {
        assertEquals("cheap", Words.key("(Cheap,"));
        assertEquals("e.g", Words.key("e.g."));
        assertEquals("brca1", Words.key("BRCA1"));
        assertEquals("", Words.key("—!"));
        assertTrue(StopWords.contains(Words.key("The")));
    }
}
