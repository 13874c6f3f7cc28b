/*
 * EDA over a text row (classification, multi-label, regression): as the reference's eda(), each
 * operation makes ⌊copies / k⌋ + 1 new texts from the original (k: the operations in use; with all
 * four, the reference's int(num_aug/4)+1), in the order synonym, insert, swap, delete as given;
 * they are shuffled and the first `copies` kept. Only the text is augmented: a second text (pair
 * tasks) and the labels stay as they are. Words are joined by one space in the new texts; a sentence
 * swap keeps the whitespace between sentences where it was.
 */
package dev.kanna.augment;

import dev.kanna.data.Example;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

public final class TextAugmenter implements Augmenter<Example> {
    private final Eda eda;
    private final List<Operation> ops;
    private final double alpha;
    private final String description;

    public TextAugmenter(Augmentation augmentation, String task) {
        this.ops = augmentation.operations(Operation.TEXT, task);
        this.eda = new Eda(augmentation.synonyms(), augmentation.protect());
        this.alpha = augmentation.settings().alpha();
        this.description = augmentation.describe(ops, Operation.TEXT);
    }

    @Override
    public List<Example> augment(Example row, int copies, RandomGenerator random) {
        List<Example> out = new ArrayList<>(copies);
        for (String text : augment(row.text(), copies, random)) out.add(new Example(text, row.textPair(), row.labels(), row.line()));
        return out;
    }

    /** `copies` new texts from one. */
    public List<String> augment(String text, int copies, RandomGenerator random) {
        List<String> words = Words.split(text);
        int each = copies / ops.size() + 1;
        List<String> made = new ArrayList<>(each * ops.size());
        for (Operation op : ops) for (int k = 0; k < each; k++) made.add(apply(op, text, words, random));
        Eda.shuffle(made, random);
        return new ArrayList<>(made.subList(0, copies));
    }

    /** One operation on the text (words: its words). */
    String apply(Operation op, String text, List<String> words, RandomGenerator random) {
        int n = Eda.count(alpha, words.size());
        return switch (op) {
            case SYNONYM -> String.join(" ", eda.synonymReplacement(words, n, random));
            case INSERT -> String.join(" ", eda.randomInsertion(words, n, random));
            case SWAP -> {
                List<String> pieces = Words.sentences(text);
                yield pieces.size() >= 5 ? sentenceSwap(pieces, random) : String.join(" ", eda.randomSwap(words, n, random));
            }
            case DELETE -> String.join(" ", eda.randomDeletion(words, alpha, random));
            case MENTION -> throw new IllegalStateException("mention replacement applies to token classification");
        };
    }

    /** Swaps whole sentences max(1, ⌊alpha·sentences⌋) times; pieces as Words.sentences gives them. */
    private String sentenceSwap(List<String> pieces, RandomGenerator random) {
        List<String> sentences = new ArrayList<>();
        for (int i = 1; i < pieces.size(); i += 2) sentences.add(pieces.get(i));
        int n = Eda.count(alpha, sentences.size());
        for (int k = 0; k < n; k++) Eda.swapTwo(sentences, random);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < sentences.size(); i++) out.append(pieces.get(2 * i)).append(sentences.get(i));
        return out.append(pieces.getLast()).toString();
    }

    @Override
    public String describe() {
        return "EDA: " + description;
    }
}
