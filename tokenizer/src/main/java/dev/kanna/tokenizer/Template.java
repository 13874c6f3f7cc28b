/*
 * The post-processor: where special tokens go around one or two sequences, and the type id of each
 * part. HF's TemplateProcessing in general; BertProcessing is the template
 * "[CLS] $A [SEP]" / "[CLS] $A [SEP] $B:1 [SEP]:1"; no post-processor is "$A" / "$A $B:1".
 */
package dev.kanna.tokenizer;

import java.util.List;

record Template(List<Piece> single, List<Piece> pair) {

    /** One item of a template. */
    sealed interface Piece permits Special, Sequence {
    }

    /** A special token (one or more ids) with the type id it gets. */
    record Special(String name, int[] ids, String[] tokens, int typeId) implements Piece {
    }

    /** The first (A) or second (B) input sequence, with the type id its tokens get. */
    record Sequence(boolean second, int typeId) implements Piece {
    }

    Template {
        single = List.copyOf(single);
        pair = List.copyOf(pair);
    }

    static Template none() {
        return new Template(List.of(new Sequence(false, 0)), List.of(new Sequence(false, 0), new Sequence(true, 1)));
    }

    static Template bert(String cls, int clsId, String sep, int sepId) {
        Special clsPiece = new Special(cls, new int[]{clsId}, new String[]{cls}, 0);
        Special sep0 = new Special(sep, new int[]{sepId}, new String[]{sep}, 0);
        Special sep1 = new Special(sep, new int[]{sepId}, new String[]{sep}, 1);
        return new Template(List.of(clsPiece, new Sequence(false, 0), sep0),
                List.of(clsPiece, new Sequence(false, 0), sep0, new Sequence(true, 1), sep1));
    }

    /** Number of special-token ids the template adds for one sequence or a pair. */
    int addedTokens(boolean isPair) {
        int n = 0;
        for (Piece piece : isPair ? pair : single) {
            if (piece instanceof Special s) n += s.ids().length;
        }
        return n;
    }
}
