/*
 * Reading a domain lexicon and a protected-terms list: terms of several words, case and punctuation
 * ignored when matching, synonyms kept as written; every malformed line is one error naming the
 * file and line. And WordNet through extjwnl, as the reference's get_synonyms reads it.
 */
package dev.kanna.augment;

import dev.kanna.data.DatasetException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.*;

class LexiconTest {
    @TempDir
    Path tmp;

    private Path file(String name, String content) throws IOException {
        Path f = tmp.resolve(name);
        Files.writeString(f, content);
        return f;
    }

    @Test
    void termsMatchByKeyAndSynonymsKeepTheirSpelling() throws IOException {
        Lexicon lexicon = Lexicon.read(file("lex.tsv", """
                # a comment, then a blank line

                Myocardial  Infarction\theart attack\tMI
                cheap\tinexpensive\tLow-Cost\tcheap
                cheap\tlow-cost\tbargain
                """));
        assertEquals(2, lexicon.size());
        assertEquals(List.of("heart attack", "MI"), lexicon.of("myocardial infarction"));
        assertEquals(List.of("inexpensive", "Low-Cost", "bargain"), lexicon.of("cheap"), "lines merged, the term and repeats dropped");
        assertEquals(List.of(), lexicon.of("heart attack"), "one way: from the term");
        assertEquals(2, lexicon.longestTerm());
    }

    @Test
    void gzippedLexiconsAreRead() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
            gz.write("tumour\ttumor\tneoplasm\n".getBytes());
        }
        Path f = tmp.resolve("lex.tsv.gz");
        Files.write(f, bytes.toByteArray());
        assertEquals(List.of("tumor", "neoplasm"), Lexicon.read(f).of("tumour"));
    }

    @Test
    void malformedLinesAreOneErrorWithFileAndLine() throws IOException {
        assertError("lex.tsv:2: expected a term and at least one synonym separated by tabs, found one column",
                "a\tb\nlonely\n");
        assertError("lex.tsv:1: expected a term and at least one synonym separated by tabs, found one column (spaces do not"
                + " separate columns)", "cheap inexpensive\n");
        assertError("lex.tsv:3: column 3 is empty (expected a synonym of \"cheap\"; no tab at the end of a line)",
                "# c\na\tb\ncheap\tinexpensive\t\n");
        assertError("lex.tsv:1: the term (column 1) is empty", "\tinexpensive\n");
        assertError("lex.tsv:1: the term (column 1) is empty", "--\tdash\n");
        assertError("lex.tsv: no terms (every line is blank or a # comment)", "# only\n\n");
        Path bad = tmp.resolve("lex.tsv");
        Files.write(bad, new byte[]{'a', '\t', 'b', '\n', 'c', '\t', (byte) 0xC3, '\n'});
        DatasetException e = assertThrows(DatasetException.class, () -> Lexicon.read(bad));
        assertTrue(e.getMessage().startsWith(bad + ":2: invalid UTF-8"), e.getMessage());
        assertEquals(tmp.resolve("none.tsv") + ": no such file",
                assertThrows(DatasetException.class, () -> Lexicon.read(tmp.resolve("none.tsv"))).getMessage());
    }

    private void assertError(String expected, String content) throws IOException {
        Path f = file("lex.tsv", content);
        DatasetException e = assertThrows(DatasetException.class, () -> Lexicon.read(f));
        assertEquals(tmp + "/" + expected, e.getMessage());
    }

    @Test
    void protectedTermsAreOnePerLine() throws IOException {
        ProtectedTerms terms = ProtectedTerms.read(file("protect.txt", "# genes\nBRCA1\n\nNew York\n"));
        assertEquals(2, terms.size());
        assertTrue(terms.contains("brca1") && terms.contains("new york"));
        assertEquals(2, terms.longestMatch(List.of("in", "new", "york"), 1));
        Path tab = file("tab.txt", "BRCA1\nBRCA2\tgene\n");
        assertEquals(tab + ":2: expected one term per line, found a tab",
                assertThrows(DatasetException.class, () -> ProtectedTerms.read(tab)).getMessage());
        Path dash = file("dash.txt", "—\n");
        assertEquals(dash + ":1: \"—\" has no letter or digit to match",
                assertThrows(DatasetException.class, () -> ProtectedTerms.read(dash)).getMessage());
    }

    @Test
    void wordNetGivesTheReferencesSynonyms() {
        assertTrue(WordNetSynonyms.available(), "extjwnl and its WordNet 3.1 data are test dependencies");
        WordNetSynonyms wordnet = WordNetSynonyms.load();
        List<String> cheap = wordnet.of("cheap");
        assertTrue(cheap.contains("inexpensive") && cheap.contains("tawdry"), cheap.toString());
        assertFalse(cheap.contains("cheap"));
        assertTrue(wordnet.of("ran").contains("run"), "base forms are looked up, as NLTK's morphy");
        assertTrue(wordnet.of("dogs").contains("domestic dog"), "'_' read as a space");
        assertTrue(wordnet.of("dogs").contains("canis familiaris"), "lower-cased");
        assertTrue(wordnet.of("dogs").contains("dog iron"), "'-' read as a space");
        assertEquals(List.of(), wordnet.of("brca1"), "only words of letters are looked up");
        assertEquals(List.of(), wordnet.of("qzxv"));
        assertEquals("vitamin b", WordNetSynonyms.clean("vitamin_B12"));
    }
}
