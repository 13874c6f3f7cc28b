/*
 * Label-preserving augmentation for token classification (Dai & Adel 2020): exact outputs from
 * scripted draws in each tagging scheme, synonym replacement only outside mentions, protected
 * mentions kept; and over many seeds, on sentences with mentions of several types (adjacent ones
 * too), every new sentence is valid in its scheme and keeps its entity types.
 */
package dev.kanna.augment;

import dev.kanna.data.TaggedSentence;
import dev.kanna.metrics.Entities;
import dev.kanna.metrics.TagScheme;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.*;

class MentionReplacementTest {
    @TempDir
    Path tmp;

    private static TaggedSentence sentence(String words, String tags) {
        return new TaggedSentence(List.of(words.split(" ")), List.of(tags.split(" ")), 1);
    }

    private static Augmentation augmentation(List<Operation> ops, double alpha, Synonyms synonyms, ProtectedTerms protect) {
        return new Augmentation(new AugmentSettings(1, alpha, ops, null, null, false), synonyms, protect);
    }

    private static MentionReplacement mentions(List<TaggedSentence> training, TagScheme scheme) {
        return new MentionReplacement(augmentation(List.of(Operation.MENTION), 0.5, Synonyms.NONE, ProtectedTerms.NONE),
                "token-classification", training, scheme);
    }

    private static TaggedSentence one(MentionReplacement m, TaggedSentence s, Draws draws) {
        TaggedSentence out = m.augment(s, 1, draws).getFirst();
        assertEquals(0, draws.left(), "every scripted draw used");
        return out;
    }

    @Test
    void mentionsAreReplacedByOthersOfTheirTypeWithTagsRewrittenInIob2() {
        TaggedSentence s1 = sentence("Mutations in BRCA1 cause breast cancer .", "O O B-Gene O B-Disease I-Disease O");
        TaggedSentence s2 = sentence("APC causes ataxia .", "B-Gene O B-Disease O");
        MentionReplacement m = mentions(List.of(s1, s2), TagScheme.IOB2);
        // BRCA1: 0.1 < 0.5 → replaced by the only other Gene (APC); breast cancer: 0.3 → ataxia
        assertEquals(sentence("Mutations in APC cause ataxia .", "O O B-Gene O B-Disease O"),
                one(m, s1, Draws.of(0.1, 0, 0.3, 0)));
        // APC kept (0.9 ≥ 0.5); ataxia → breast cancer, two words: B- then I-
        assertEquals(sentence("APC causes breast cancer .", "B-Gene O B-Disease I-Disease O"),
                one(m, s2, Draws.of(0.9, 0.0, 0)));
    }

    @Test
    void iobesAndBilouTagsFollowTheMentionsNewLength() {
        TaggedSentence s1 = sentence("Mutations in BRCA1 cause breast cancer .", "O O S-Gene O B-Disease E-Disease O");
        TaggedSentence s2 = sentence("APC causes ataxia .", "S-Gene O S-Disease O");
        MentionReplacement iobes = mentions(List.of(s1, s2), TagScheme.IOBES);
        assertEquals(sentence("APC causes breast cancer .", "S-Gene O B-Disease E-Disease O"),
                one(iobes, s2, Draws.of(0.9, 0.0, 0)));
        assertEquals(sentence("Mutations in BRCA1 cause ataxia .", "O O S-Gene O S-Disease O"),
                one(iobes, s1, Draws.of(0.5, 0.2, 0)));
        TaggedSentence b1 = sentence("Mutations in BRCA1 cause breast cancer .", "O O U-Gene O B-Disease L-Disease O");
        TaggedSentence b2 = sentence("APC causes ataxia .", "U-Gene O U-Disease O");
        MentionReplacement bilou = mentions(List.of(b1, b2), TagScheme.BILOU);
        assertEquals(sentence("APC causes breast cancer .", "U-Gene O B-Disease L-Disease O"),
                one(bilou, b2, Draws.of(0.9, 0.0, 0)));
        assertEquals(sentence("Mutations in BRCA1 cause ataxia .", "O O U-Gene O U-Disease O"),
                one(bilou, b1, Draws.of(0.7, 0.0, 0)));
    }

    @Test
    void iob1KeepsEachMentionsFirstPrefixSoAdjacentMentionsStayApart() {
        // IOB1: B- only where an entity follows another of its type
        TaggedSentence s = sentence("BRCA1 BRCA2 and APC region", "I-Gene B-Gene O I-Gene I-Gene");
        MentionReplacement m = mentions(List.of(s), TagScheme.IOB1);
        // BRCA1 → the second other Gene (APC region); BRCA2 → APC region too; APC region kept
        TaggedSentence out = one(m, s, Draws.of(0.0, 1, 0.0, 1, 0.9));
        assertEquals(sentence("APC region APC region and APC region", "I-Gene I-Gene B-Gene I-Gene O I-Gene I-Gene"), out);
        assertEquals(3, Entities.of(out.tags()).size());
    }

    @Test
    void synonymsReplaceWordsOutsideMentionsOnlyAndMultiWordSynonymsAreTaggedO() throws IOException {
        Path lex = tmp.resolve("lex.tsv");
        Files.writeString(lex, "mutations\tvariants\ncause\tlead to\ncancer\tcarcinoma\nbrca1\tBRCA-1\n");
        TaggedSentence s1 = sentence("Mutations in BRCA1 cause breast cancer .", "O O B-Gene O B-Disease I-Disease O");
        MentionReplacement m = new MentionReplacement(augmentation(Operation.TAGGED, 0.5, Lexicon.read(lex), ProtectedTerms.NONE),
                "token-classification", List.of(s1, sentence("APC causes ataxia .", "B-Gene O B-Disease O")), TagScheme.IOB2);
        // mentions: BRCA1 0.9, breast cancer 0.9 (both kept); then the terms outside mentions with synonyms,
        // in order: Mutations 0.1 → variants (capitalised), cause 0.2 → lead to; nothing inside a mention is drawn
        assertEquals(sentence("Variants in BRCA1 lead to breast cancer .", "O O B-Gene O O B-Disease I-Disease O"),
                one(m, s1, Draws.of(0.9, 0.9, 0.1, 0, 0.2, 0)));
    }

    @Test
    void aProtectedMentionIsNeverReplaced() {
        TaggedSentence s1 = sentence("Mutations in BRCA1 cause breast cancer .", "O O B-Gene O B-Disease I-Disease O");
        TaggedSentence s2 = sentence("APC causes ataxia .", "B-Gene O B-Disease O");
        MentionReplacement m = new MentionReplacement(augmentation(List.of(Operation.MENTION), 0.5, Synonyms.NONE,
                ProtectedTerms.of(List.of("brca1"))), "token-classification", List.of(s1, s2), TagScheme.IOB2);
        assertEquals(sentence("Mutations in BRCA1 cause ataxia .", "O O B-Gene O B-Disease O"),
                one(m, s1, Draws.of(0.0, 0.0, 0)));
    }

    @Test
    void textOperationsAreRefusedForTaggedSentences() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new MentionReplacement(
                augmentation(List.of(Operation.SWAP), 0.1, Synonyms.NONE, ProtectedTerms.NONE), "token-classification",
                List.of(), TagScheme.IOB2));
        assertEquals("augmentation: token-classification augments with mention, synonym, not swap", e.getMessage());
    }

    @Test
    void everyNewSentenceIsValidInItsSchemeAndKeepsItsEntityTypes() throws IOException {
        Path lex = tmp.resolve("lex.tsv");
        Files.writeString(lex, "w1\tnew word\nw2\tother\nw3 w4\tthree word synonym\n");
        Synonyms synonyms = Lexicon.read(lex);
        SplittableRandom make = new SplittableRandom(7);
        List<List<Entities.Span>> spans = new ArrayList<>();
        List<List<String>> words = new ArrayList<>();
        for (int s = 0; s < 60; s++) {   // sentences of plain words and mentions of 1-3 words, adjacent ones included
            List<String> w = new ArrayList<>();
            List<Entities.Span> m = new ArrayList<>();
            while (w.size() < 12) {
                if (make.nextInt(3) == 0) {
                    String type = List.of("Disease", "Gene", "Chemical").get(make.nextInt(3));
                    int from = w.size(), length = 1 + make.nextInt(3);
                    for (int k = 0; k < length; k++) w.add(type.toLowerCase() + make.nextInt(4));
                    m.add(new Entities.Span(type, from, w.size()));
                } else {
                    w.add("w" + make.nextInt(6));
                }
            }
            words.add(w);
            spans.add(m);
        }
        for (TagScheme scheme : TagScheme.values()) {
            List<TaggedSentence> training = new ArrayList<>();
            for (int s = 0; s < words.size(); s++) training.add(new TaggedSentence(words.get(s), render(words.get(s).size(), spans.get(s), scheme), s));
            for (TaggedSentence s : training) assertValid(s.tags(), scheme);
            MentionReplacement m = new MentionReplacement(augmentation(Operation.TAGGED, 0.5, synonyms, ProtectedTerms.NONE),
                    "token-classification", training, scheme);
            int changed = 0;
            for (int i = 0; i < training.size(); i++) {
                TaggedSentence source = training.get(i);
                for (TaggedSentence out : m.augment(source, 4, Augmentation.random(1, 0, i))) {
                    assertValid(out.tags(), scheme);
                    assertEquals(types(source.tags()), types(out.tags()), scheme + ": " + out);
                    for (int k = 0; k < out.words().size(); k++) {
                        if (out.words().get(k).startsWith("w")) assertEquals("O", out.tags().get(k));
                    }
                    if (!out.equals(source)) changed++;
                }
            }
            assertTrue(changed > 150, scheme + ": " + changed + " of 240 new sentences differ from their source");
        }
    }

    /** The entity types of a sentence's tags, counted. */
    private static Map<String, Integer> types(List<String> tags) {
        Map<String, Integer> count = new TreeMap<>();
        for (Entities.Span s : Entities.of(tags)) count.merge(s.type(), 1, Integer::sum);
        return count;
    }

    /** Tags of spans written in a scheme, from the definitions (IOB1: B- only right after an entity of the same type). */
    private static List<String> render(int length, List<Entities.Span> spans, TagScheme scheme) {
        List<String> tags = new ArrayList<>(java.util.Collections.nCopies(length, "O"));
        int previousEnd = -1;
        String previousType = null;
        for (Entities.Span s : spans) {
            for (int i = s.start(); i < s.end(); i++) {
                boolean first = i == s.start(), last = i == s.end() - 1;
                String prefix = switch (scheme) {
                    case IOB1 -> first && previousEnd == s.start() && s.type().equals(previousType) ? "B" : "I";
                    case IOB2 -> first ? "B" : "I";
                    case IOBES -> first && last ? "S" : first ? "B" : last ? "E" : "I";
                    case BILOU -> first && last ? "U" : first ? "B" : last ? "L" : "I";
                };
                tags.set(i, prefix + "-" + s.type());
            }
            previousEnd = s.end();
            previousType = s.type();
        }
        return tags;
    }

    /** Checks a tag sequence against its scheme's rules, tag by tag and transition by transition. */
    private static void assertValid(List<String> tags, TagScheme scheme) {
        String prev = "O";
        for (int i = 0; i <= tags.size(); i++) {
            String tag = i < tags.size() ? tags.get(i) : "O";
            scheme.validate(tag);
            char p = prev.charAt(0), t = tag.charAt(0);
            boolean sameType = !prev.equals("O") && !tag.equals("O") && prev.substring(2).equals(tag.substring(2));
            boolean ok = switch (scheme) {
                case IOB1 -> t != 'B' || sameType;                         // B- only right after its own type
                case IOB2 -> t != 'I' || sameType;                         // I- only inside an entity of its type
                case IOBES, BILOU -> {
                    boolean open = p == 'B' || p == 'I';                   // the previous tag expects a continuation
                    boolean continues = t == 'I' || t == 'E' || t == 'L';
                    yield open ? continues && sameType : !continues;
                }
            };
            assertTrue(ok, scheme + ": " + prev + " then " + tag + " in " + tags);
            prev = tag;
        }
    }
}
