/*
 * Entity spans in one sequence of tags, found by conlleval's chunking rules exactly as seqeval's default
 * mode finds them (get_entities, start_of_chunk, end_of_chunk), so scores, prediction output and error
 * reports all agree on what an entity is.
 */
package dev.kanna.metrics;

import java.util.ArrayList;
import java.util.List;

public final class Entities {

    /** An entity of {@code type} covering tokens [start, end). */
    public record Span(String type, int start, int end) {}

    private Entities() {}

    /**
     * The entities in {@code tags}. A chunk starts at B-X or S-X, and at I-X or E-X that follows O,
     * E, S or a tag of another type (so IOB1, IOB2 and IOBES all read as intended, and ill-formed
     * sequences as conlleval reads them). The text after the first character and one '-' is the type;
     * a tag without one has type "_". Unknown prefixes and "." follow seqeval's rules as they stand.
     * BILOU's L (last) and U (unit) are read as IOBES's E and S: seqeval's default mode only knows
     * B, I, E, S and O, and BILOU is IOBES under other letters.
     */
    public static List<Span> of(List<String> tags) {
        List<Span> spans = new ArrayList<>();
        int prevPrefix = 'O';
        String prevType = "";   // seqeval starts from an empty type, not "_"; it matters for bare tags
        int begin = 0;
        for (int i = 0; i <= tags.size(); i++) {
            // A trailing O closes the last chunk, as seqeval appends one.
            String tag = i < tags.size() ? asIobes(tags.get(i), i) : "O";
            int typeFrom = tag.offsetByCodePoints(0, 1);
            int prefix = tag.codePointAt(0);
            String type = typeOf(tag.substring(typeFrom));
            if (endsChunk(prevPrefix, prefix, prevType, type)) spans.add(new Span(prevType, begin, i));
            if (startsChunk(prevPrefix, prefix, prevType, type)) begin = i;
            prevPrefix = prefix;
            prevType = type;
        }
        return spans;
    }

    private static String asIobes(String tag, int index) {
        if (tag == null || tag.isEmpty()) throw new IllegalArgumentException("tag " + index + " is empty");
        char first = tag.charAt(0);
        if ((first == 'L' || first == 'U') && (tag.length() == 1 || tag.charAt(1) == '-')) {
            return (first == 'L' ? "E" : "S") + tag.substring(1);
        }
        return tag;
    }

    /** seqeval: {@code chunk[1:].split('-', maxsplit=1)[-1] or '_'}. */
    private static String typeOf(String afterPrefix) {
        int dash = afterPrefix.indexOf('-');
        String type = dash < 0 ? afterPrefix : afterPrefix.substring(dash + 1);
        return type.isEmpty() ? "_" : type;
    }

    private static boolean endsChunk(int prev, int tag, String prevType, String type) {
        if (prev == 'E' || prev == 'S') return true;
        if ((prev == 'B' || prev == 'I') && (tag == 'B' || tag == 'S' || tag == 'O')) return true;
        return prev != 'O' && prev != '.' && !prevType.equals(type);
    }

    private static boolean startsChunk(int prev, int tag, String prevType, String type) {
        if (tag == 'B' || tag == 'S') return true;
        if ((prev == 'E' || prev == 'S' || prev == 'O') && (tag == 'E' || tag == 'I')) return true;
        return tag != 'O' && tag != '.' && !prevType.equals(type);
    }
}
