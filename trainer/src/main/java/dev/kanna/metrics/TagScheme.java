/*
 * The tagging schemes of token-classification data: which prefixes a tag may carry, detecting the
 * scheme a dataset uses, and parsing it from a flag. Scoring does not depend on the scheme (seqeval's
 * default mode chunks all of them alike, see Entities); validation and conversion do.
 */
package dev.kanna.metrics;

import java.util.List;

public enum TagScheme {
    /** I-X inside and at the start of an entity; B-X only for an entity right after another of type X. */
    IOB1("B", "I"),
    /** Every entity starts with B-X and continues with I-X. */
    IOB2("B", "I"),
    /** B-X, I-X, E-X (end) and S-X (single-token entity). */
    IOBES("B", "I", "E", "S"),
    /** IOBES under other letters: L-X (last) for E-X, U-X (unit) for S-X. */
    BILOU("B", "I", "L", "U");

    private final List<String> prefixes;

    TagScheme(String... prefixes) {
        this.prefixes = List.of(prefixes);
    }

    /** A scheme by its flag name: iob1, iob2, iobes or bilou (any case). */
    public static TagScheme parse(String name) {
        for (TagScheme s : values()) {
            if (s.name().equalsIgnoreCase(name)) return s;
        }
        throw new IllegalArgumentException("unknown tag scheme \"" + name + "\"; expected iob1, iob2, iobes or bilou");
    }

    /**
     * The scheme of tagged sentences: BILOU if any tag is L-X or U-X (no other scheme has them), else
     * IOBES if any is E-X or S-X, else IOB1 if some I-X starts an entity (first in its sentence, or
     * after O or a tag of another type), which IOB2 forbids; else IOB2, also for data with no
     * entities. Mixed data (I-X starting some entities, B-X others) reads as IOB1 because that
     * reading keeps every entity: B-X there still starts one.
     */
    public static TagScheme detect(List<List<String>> sentences) {
        boolean bilou = false, iobes = false, iob1 = false;
        for (List<String> sentence : sentences) {
            String prev = "O";
            for (String tag : sentence) {
                bilou |= tag.startsWith("L-") || tag.startsWith("U-");
                iobes |= tag.startsWith("E-") || tag.startsWith("S-");
                iob1 |= tag.startsWith("I-") && !prev.equals("B" + tag.substring(1)) && !prev.equals(tag);
                prev = tag;
            }
        }
        return bilou ? BILOU : iobes ? IOBES : iob1 ? IOB1 : IOB2;
    }

    /** Throws unless {@code tag} is O or PREFIX-TYPE with a prefix of this scheme and a non-empty type. */
    public void validate(String tag) {
        if ("O".equals(tag)) return;
        if (tag != null && tag.length() > 2 && tag.charAt(1) == '-' && prefixes.contains(tag.substring(0, 1))) return;
        throw new IllegalArgumentException("tag \"" + tag + "\" is not valid " + name() + ": expected O, " + expected());
    }

    private String expected() {
        List<String> forms = prefixes.stream().map(p -> p + "-TYPE").toList();
        return String.join(", ", forms.subList(0, forms.size() - 1)) + " or " + forms.getLast();
    }
}
