package dev.kanna.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class TaggedDatasetReaderTest {
    private static final Path NCBI = Path.of("..", "datasets", "ncbi-disease");

    @TempDir
    Path dir;

    private Path write(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, content);
        return p;
    }

    private static List<TaggedSentence> read(Path p) {
        return TaggedDatasetReader.read(p, TagFields.defaults());
    }

    private void assertError(String expected, Path p) {
        DatasetException e = assertThrows(DatasetException.class, () -> read(p));
        assertEquals(p + expected, e.getMessage());
    }

    private static long mentions(List<TaggedSentence> sentences) {
        return sentences.stream().flatMap(s -> s.tags().stream()).filter(t -> t.startsWith("B-")).count();
    }

    // ---- the bundled NCBI disease corpus: the counts its README states

    @Test
    void readsTheBundledNcbiDiseaseSplits() {
        List<TaggedSentence> train = read(NCBI.resolve("train.tsv.gz"));
        assertEquals(5432, train.size());
        assertEquals(5145, mentions(train));
        List<TaggedSentence> validation = read(NCBI.resolve("validation.tsv.gz"));
        assertEquals(923, validation.size());
        assertEquals(787, mentions(validation));
        List<TaggedSentence> test = read(NCBI.resolve("test.tsv.gz"));
        assertEquals(940, test.size());
        assertEquals(960, mentions(test));

        TaggedSentence first = train.getFirst();
        assertEquals(List.of("Identification", "of", "APC2", ",", "a", "homologue", "of", "the", "adenomatous",
                "polyposis", "coli", "tumour", "suppressor", "."), first.words());
        assertEquals(List.of("O", "O", "O", "O", "O", "O", "O", "O", "B-Disease", "I-Disease", "I-Disease",
                "I-Disease", "O", "O"), first.tags());
        assertEquals(1, first.line());
        assertEquals(16, train.get(1).line());

        TagSet tags = TagSet.fromTraining(train, NCBI.resolve("train.tsv.gz"));
        assertEquals(List.of("B-Disease", "I-Disease", "O"), tags.tags());
        assertArrayEquals(new int[]{2, 2, 2, 2, 2, 2, 2, 2, 0, 1, 1, 1, 2, 2}, tags.ids(first, Path.of("train.tsv.gz")));
        for (TaggedSentence s : test) tags.ids(s, NCBI.resolve("test.tsv.gz"));   // no unseen tag in test
    }

    // ---- CoNLL variants

    @Test
    void readsConllWithSpacesDocstartAndSeveralBlankLines() throws IOException {
        Path p = write("d.conll", "-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\n\n\n\n"
                + "Peter NNP B-NP B-PER\n  Blackburn   NNP B-NP I-PER  \n");
        List<TaggedSentence> s = read(p);
        assertEquals(2, s.size());
        assertEquals(List.of("EU", "rejects"), s.get(0).words());
        assertEquals(List.of("B-ORG", "O"), s.get(0).tags());
        assertEquals(3, s.get(0).line());
        assertEquals(List.of("Peter", "Blackburn"), s.get(1).words());
        assertEquals(List.of("B-PER", "I-PER"), s.get(1).tags());
        assertEquals(8, s.get(1).line());
    }

    @Test
    void tagColumnOptionPicksAColumn() throws IOException {
        Path p = write("d.iob", "EU\tNNP\tB-NP\tB-ORG\nrejects\tVBZ\tB-VP\tO\n");
        List<TaggedSentence> s = TaggedDatasetReader.read(p, new TagFields(2, "tokens", "tags"));
        assertEquals(List.of("B-NP", "B-VP"), s.getFirst().tags());
    }

    @Test
    void lastSentenceNeedsNoBlankLineAndCrlfIsAccepted() throws IOException {
        Path p = write("d.tsv", "a\tO\r\nb\tB-X\r\n\r\nc\tI-X\r\nd\tO");
        List<TaggedSentence> s = read(p);
        assertEquals(2, s.size());
        assertEquals(List.of("a", "b"), s.get(0).words());
        assertEquals(List.of("O", "B-X"), s.get(0).tags());
        assertEquals(List.of("c", "d"), s.get(1).words());
        assertEquals(List.of("I-X", "O"), s.get(1).tags());
        assertEquals(4, s.get(1).line());
    }

    @Test
    void txtNamesAreReadAsConll() throws IOException {
        Path p = write("d.bio.txt", "x\tO\n");
        assertEquals(List.of("x"), read(p).getFirst().words());
    }

    @Test
    void docstartInsideASentenceEndsIt() throws IOException {
        Path p = write("d.conll", "a O\n-DOCSTART- O\nb O\n");
        List<TaggedSentence> s = read(p);
        assertEquals(2, s.size());
        assertEquals(3, s.get(1).line());
    }

    // ---- JSONL

    @Test
    void readsJsonlWithDefaultAndCustomFields() throws IOException {
        Path p = write("d.jsonl", "{\"tokens\":[\"EU\",\"rejects\"],\"tags\":[\"B-ORG\",\"O\"],\"id\":1}\n\n"
                + "{\"tokens\":[\"Peter\"],\"tags\":[\"B-PER\"]}\n");
        List<TaggedSentence> s = read(p);
        assertEquals(2, s.size());
        assertEquals(List.of("EU", "rejects"), s.get(0).words());
        assertEquals(List.of("B-ORG", "O"), s.get(0).tags());
        assertEquals(3, s.get(1).line());

        Path custom = write("c.json", "{\"words\":[\"a\"],\"ner\":[\"O\"]}\n");
        assertEquals(List.of("O"), TaggedDatasetReader.read(custom, new TagFields(-1, "words", "ner")).getFirst().tags());
    }

    // ---- bad input: one error naming the file and line

    @Test
    void conllErrors() throws IOException {
        assertError(":2: expected a token and its tag separated by a tab or spaces, found one column",
                write("a.conll", "a O\nlonely\n"));
        assertError(":2: token is empty", write("c.tsv", "a\tO\n\tO\n"));
        assertError(":1: empty tag", write("d.tsv", "a\t\n"));
        assertError(":3: token \"New\u00A0York\" contains whitespace (each token must be one word)",
                write("e.conll", "a O\n\nNew\u00A0York B-LOC\n"));
        assertError(":1: token \"New York\" contains whitespace (each token must be one word)",
                write("f.tsv", "New York\tB-LOC\n"));
        assertError(": no sentences (the file is empty)", write("g.tsv", ""));
        assertError(": no sentences", write("h.conll", "-DOCSTART- O\n\n\n"));
        assertError(": tagged tokens are read from CoNLL files (.tsv, .conll, .iob, .bio, .txt) or JSONL, not CSV",
                write("i.csv", "a,O\n"));
    }

    @Test
    void tagColumnOptionBeyondALineIsAnError() throws IOException {
        Path p = write("d.tsv", "a\tNN\tO\nb\tO\n");
        DatasetException e = assertThrows(DatasetException.class,
                () -> TaggedDatasetReader.read(p, new TagFields(2, "tokens", "tags")));
        assertEquals(p + ":2: tag column 2 is beyond the line's 2 columns (counted from 0)", e.getMessage());
    }

    @Test
    void jsonlErrors() throws IOException {
        String ok = "{\"tokens\":[\"a\"],\"tags\":[\"O\"]}\n";
        assertError(":2: missing field \"tags\"", write("a.jsonl", ok + "{\"tokens\":[\"a\"]}\n"));
        assertError(":1: field \"tokens\" must be an array of strings, got string",
                write("b.jsonl", "{\"tokens\":\"a b\",\"tags\":[\"O\",\"O\"]}\n"));
        assertError(":1: tags[1] must be a string, got number",
                write("c.jsonl", "{\"tokens\":[\"a\",\"b\"],\"tags\":[\"O\",3]}\n"));
        assertError(":2: 3 tokens but 2 tags",
                write("d.jsonl", ok + "{\"tokens\":[\"a\",\"b\",\"c\"],\"tags\":[\"O\",\"O\"]}\n"));
        assertError(":1: empty sentence (no tokens)", write("e.jsonl", "{\"tokens\":[],\"tags\":[]}\n"));
        assertError(":1: tokens[1] \"b c\" contains whitespace (each token must be one word)",
                write("f.jsonl", "{\"tokens\":[\"a\",\"b c\"],\"tags\":[\"O\",\"O\"]}\n"));
        assertError(":1: tokens[0] is empty", write("g.jsonl", "{\"tokens\":[\"\"],\"tags\":[\"O\"]}\n"));
        assertError(":1: tags[0] is empty", write("h.jsonl", "{\"tokens\":[\"a\"],\"tags\":[\"\"]}\n"));
        assertError(":1: expected a JSON object per line", write("i.jsonl", "[1]\n"));
        assertError(": no sentences (the file is empty)", write("j.jsonl", ""));
        DatasetException e = assertThrows(DatasetException.class, () -> read(write("k.jsonl", ok + "{\"tokens\":\n")));
        assertTrue(e.getMessage().startsWith(dir.resolve("k.jsonl") + ":2: not valid JSON ("), e.getMessage());
    }

    @Test
    void tagFieldsRefuseTheWordColumn() {
        assertThrows(IllegalArgumentException.class, () -> new TagFields(0, "tokens", "tags"));
        assertThrows(IllegalArgumentException.class, () -> new TagFields(-2, "tokens", "tags"));
    }

    // ---- TagSet

    @Test
    void tagSetIsSortedDistinctTags() {
        List<TaggedSentence> train = List.of(
                new TaggedSentence(List.of("a", "b"), List.of("O", "I-PER"), 1),
                new TaggedSentence(List.of("c", "d", "e"), List.of("B-PER", "S-LOC", "O"), 4));
        TagSet tags = TagSet.fromTraining(train, Path.of("train.tsv"));
        assertEquals(List.of("B-PER", "I-PER", "O", "S-LOC"), tags.tags());
        assertEquals(4, tags.size());
        assertEquals("O", tags.tag(2));
        assertArrayEquals(new int[]{0, 3, 2}, tags.ids(train.get(1), Path.of("train.tsv")));
    }

    @Test
    void trainingTagsMustBeOOrPrefixType() {
        List<TaggedSentence> train = List.of(
                new TaggedSentence(List.of("a"), List.of("O"), 1),
                new TaggedSentence(List.of("b", "c", "d"), List.of("O", "O", "Disease"), 10));
        DatasetException e = assertThrows(DatasetException.class, () -> TagSet.fromTraining(train, Path.of("train.tsv")));
        assertEquals("train.tsv:12: tag \"Disease\" is not O or PREFIX-TYPE (PREFIX one of B, I, E, S, L, U)",
                e.getMessage());
        for (String bad : List.of("X-PER", "B-", "b-PER", "B_PER", "B-New York", "o")) {
            List<TaggedSentence> one = List.of(new TaggedSentence(List.of("w"), List.of(bad), 3));
            DatasetException err = assertThrows(DatasetException.class, () -> TagSet.fromTraining(one, Path.of("t.jsonl")));
            assertTrue(err.getMessage().startsWith("t.jsonl:3: tag \"" + bad + "\" is not O"), err.getMessage());
        }
        for (String good : List.of("B-PER", "I-PER", "E-PER", "S-PER", "L-PER", "U-PER", "O")) {
            TagSet.fromTraining(List.of(new TaggedSentence(List.of("w"), List.of(good), 1)), Path.of("t.tsv"));
        }
    }

    @Test
    void aTagNeverSeenInTrainingIsAnErrorEvenAnIOfAnUnknownType() {
        TagSet tags = TagSet.fromTraining(List.of(new TaggedSentence(List.of("a", "b"), List.of("B-Disease", "O"), 1)),
                Path.of("train.tsv"));
        TaggedSentence conll = new TaggedSentence(List.of("x", "y", "z"), List.of("O", "I-Chemical", "O"), 40);
        DatasetException e = assertThrows(DatasetException.class, () -> tags.ids(conll, Path.of("dev.tsv")));
        assertEquals("dev.tsv:41: tag \"I-Chemical\" was never seen in training (known tags: B-Disease, O)",
                e.getMessage());
        TaggedSentence json = new TaggedSentence(List.of("x", "y"), List.of("O", "B-Chemical"), 7);
        e = assertThrows(DatasetException.class, () -> tags.ids(json, Path.of("dev.jsonl.gz")));
        assertEquals("dev.jsonl.gz:7: tag \"B-Chemical\" was never seen in training (known tags: B-Disease, O)",
                e.getMessage());
    }
}
