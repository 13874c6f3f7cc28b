/*
 * How augmentation sees text: words are the whitespace-separated tokens of a text (punctuation
 * stays attached: "cheap," is one word); a word's key, its letters and digits without the
 * punctuation around them, lower-cased, is what lexicons, protected terms and stop words match,
 * and a term of several words is their keys joined by one space. Sentences, for the sentence-level
 * swap, are the paragraphs (split at blank lines) cut by the JDK's sentence BreakIterator (after
 * . ! or ? followed by a space and a capital: "Dr. Smith" is cut too, "e.g. the" is not).
 */
package dev.kanna.augment;

import java.text.BreakIterator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

public final class Words {
    private static final Pattern WHITESPACE = Pattern.compile("[\\s\\u00A0\\u2007\\u202F\\u0085]+",
            Pattern.UNICODE_CHARACTER_CLASS);
    private static final Pattern PARAGRAPH = Pattern.compile("\\R[\\h\\x0B\\f]*\\R");

    private Words() {
    }

    /** The whitespace-separated words of a text (none for a blank text). */
    public static List<String> split(String text) {
        String stripped = WHITESPACE.matcher(text).replaceAll(" ").strip();
        return stripped.isEmpty() ? List.of() : Arrays.asList(stripped.split(" "));
    }

    /** The word's letters and digits, from its first to its last, lower-cased: "(Cheap," → "cheap". */
    public static String key(String word) {
        int from = coreStart(word), to = coreEnd(word);
        return from >= to ? "" : word.substring(from, to).toLowerCase(Locale.ROOT);
    }

    /** The keys of words from..to−1 joined by one space: the term they spell. */
    public static String term(List<String> keys, int from, int to) {
        return String.join(" ", keys.subList(from, to));
    }

    /**
     * The words that replace words[from, to) with a synonym (one or more words, split on spaces): the
     * punctuation before the first replaced word and after the last stays, and a replaced term that
     * starts with a capital gives the synonym one.
     */
    static List<String> replace(List<String> words, int from, int to, String synonym) {
        String first = words.get(from), last = words.get(to - 1);
        String before = first.substring(0, coreStart(first)), after = last.substring(Math.max(coreStart(last), coreEnd(last)));
        List<String> out = new ArrayList<>(split(synonym));
        if (out.isEmpty()) return out;
        int c = coreStart(first) < first.length() ? first.codePointAt(coreStart(first)) : 'a';
        if (Character.isUpperCase(c)) out.set(0, capitalised(out.getFirst()));
        out.set(0, before + out.getFirst());
        out.set(out.size() - 1, out.getLast() + after);
        return out;
    }

    /** The word with its first letter upper-cased. */
    static String capitalised(String word) {
        int c = word.codePointAt(0);
        return Character.isLowerCase(c)
                ? new StringBuilder().appendCodePoint(Character.toUpperCase(c)).append(word, Character.charCount(c), word.length()).toString()
                : word;
    }

    /**
     * The text cut into sentences, kept whole: pieces[2k+1] are the sentences and pieces[2k] the
     * whitespace before each (pieces[0] the text's leading whitespace, the last piece its trailing
     * whitespace), so joining the pieces gives the text back.
     */
    public static List<String> sentences(String text) {
        List<String> pieces = new ArrayList<>();
        StringBuilder gap = new StringBuilder();
        int paragraphStart = 0;
        var paragraphs = PARAGRAPH.matcher(text);
        while (true) {
            boolean more = paragraphs.find();
            int end = more ? paragraphs.start() : text.length();
            String paragraph = text.substring(paragraphStart, end);
            BreakIterator cuts = BreakIterator.getSentenceInstance(Locale.ROOT);
            cuts.setText(paragraph);
            for (int s = cuts.first(), e = cuts.next(); e != BreakIterator.DONE; s = e, e = cuts.next()) {
                String piece = paragraph.substring(s, e);
                String sentence = piece.strip();
                if (sentence.isEmpty()) {
                    gap.append(piece);
                    continue;
                }
                int lead = piece.indexOf(sentence);
                gap.append(piece, 0, lead);
                pieces.add(gap.toString());
                pieces.add(sentence);
                gap.setLength(0);
                gap.append(piece, lead + sentence.length(), piece.length());
            }
            if (!more) break;
            gap.append(paragraphs.group());
            paragraphStart = paragraphs.end();
        }
        pieces.add(gap.toString());
        return pieces;
    }

    private static int coreStart(String word) {
        int i = 0;
        while (i < word.length() && !Character.isLetterOrDigit(word.codePointAt(i))) i += Character.charCount(word.codePointAt(i));
        return i;
    }

    private static int coreEnd(String word) {
        int i = word.length();
        while (i > 0 && !Character.isLetterOrDigit(word.codePointBefore(i))) i -= Character.charCount(word.codePointBefore(i));
        return i;
    }
}
