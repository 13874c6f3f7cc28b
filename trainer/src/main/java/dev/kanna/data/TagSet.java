/*
 * The tag vocabulary of token-classification training data: tag strings ↔ ids in a stable order,
 * the distinct training tags sorted by string (as transformers' run_ner.py does: sorted(unique tags)),
 * so the mapping does not depend on sentence order. Training tags must be O or PREFIX-TYPE with
 * PREFIX one of B, I, E, S, L, U (IOB1/IOB2, IOBES, BILOU), the form entity-level scoring reads.
 */
package dev.kanna.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

public final class TagSet {
    private static final String PREFIXES = "BIESLU";

    private final List<String> tags;
    private final Map<String, Integer> ids = new HashMap<>();

    public TagSet(List<String> tagsInIdOrder) {
        this.tags = List.copyOf(tagsInIdOrder);
        for (int i = 0; i < tags.size(); i++) {
            if (ids.put(tags.get(i), i) != null) {
                throw new IllegalArgumentException("duplicate tag \"" + tags.get(i) + "\"");
            }
        }
    }

    /** The sorted distinct tags of the training sentences, each checked to be O or PREFIX-TYPE. */
    public static TagSet fromTraining(List<TaggedSentence> sentences, Path file) {
        TreeSet<String> distinct = new TreeSet<>();
        for (TaggedSentence s : sentences) {
            if (s.tags() == null) throw new IllegalArgumentException("line " + s.line() + " is unlabelled");
            for (int i = 0; i < s.tags().size(); i++) {
                String tag = s.tags().get(i);
                if (distinct.add(tag) && !wellFormed(tag)) {
                    throw new DatasetException(file + ":" + TaggedDatasetReader.lineOf(s, i, file) + ": tag \"" + tag
                            + "\" is not O or PREFIX-TYPE (PREFIX one of B, I, E, S, L, U)");
                }
            }
        }
        return new TagSet(new ArrayList<>(distinct));
    }

    private static boolean wellFormed(String tag) {
        if (tag.equals("O")) return true;
        return tag.length() > 2 && PREFIXES.indexOf(tag.charAt(0)) >= 0 && tag.charAt(1) == '-'
                && !TaggedDatasetReader.hasWhitespace(tag);
    }

    public int size() {
        return tags.size();
    }

    public String tag(int id) {
        return tags.get(id);
    }

    public List<String> tags() {
        return tags;
    }

    /** The sentence's tag ids, one per word; a tag never seen in training is one error naming its line. */
    public int[] ids(TaggedSentence sentence, Path file) {
        if (sentence.tags() == null) throw new IllegalArgumentException("line " + sentence.line() + " is unlabelled");
        int[] out = new int[sentence.tags().size()];   // (words)
        for (int i = 0; i < out.length; i++) {
            Integer id = ids.get(sentence.tags().get(i));
            if (id == null) {
                throw new DatasetException(file + ":" + TaggedDatasetReader.lineOf(sentence, i, file) + ": tag \""
                        + sentence.tags().get(i) + "\" was never seen in training (known tags: "
                        + String.join(", ", tags) + ")");
            }
            out[i] = id;
        }
        return out;
    }
}
