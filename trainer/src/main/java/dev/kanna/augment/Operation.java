/*
 * The augmentation operations --ops names. Text tasks: EDA's four (synonym, insert, swap, delete);
 * token classification: Dai & Adel's label-preserving two (mention, synonym outside mentions).
 */
package dev.kanna.augment;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

public enum Operation {
    SYNONYM, INSERT, SWAP, DELETE, MENTION;

    /** EDA's operations, the text tasks' default, in the reference's order. */
    public static final List<Operation> TEXT = List.of(SYNONYM, INSERT, SWAP, DELETE);
    /** Token classification's operations and default. */
    public static final List<Operation> TAGGED = List.of(MENTION, SYNONYM);

    /** The name --ops takes. */
    public String flag() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether it draws on synonyms (a lexicon or WordNet). */
    public boolean needsSynonyms() {
        return this == SYNONYM || this == INSERT;
    }

    /** "synonym,insert" → the operations, each once, in the order given; flag: the option named in messages. */
    public static List<Operation> parse(String flag, String list) {
        List<Operation> ops = new ArrayList<>();
        for (String name : list.split(",", -1)) {
            Operation op = null;
            for (Operation o : values()) if (o.flag().equals(name.strip().toLowerCase(Locale.ROOT))) op = o;
            if (op == null) {
                throw new IllegalArgumentException(flag + ": unknown operation '" + name.strip() + "'; expected synonym,"
                        + " insert, swap, delete (text) or mention, synonym (token classification), separated by commas");
            }
            if (ops.contains(op)) throw new IllegalArgumentException(flag + ": '" + op.flag() + "' is given twice");
            ops.add(op);
        }
        return List.copyOf(ops);
    }

    static String flags(List<Operation> ops) {
        return String.join(", ", ops.stream().map(Operation::flag).toList());
    }
}
