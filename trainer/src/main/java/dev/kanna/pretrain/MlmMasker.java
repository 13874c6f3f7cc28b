/*
 * Masked-LM corruption of one sequence, as transformers 5's DataCollatorForLanguageModeling and
 * DataCollatorForWholeWordMask do it (the reference is the collator code, read in the wheel).
 *
 * Selection. Standard: each non-special position before `length` is selected with probability p, on
 * its own. Whole-word: each word start is drawn with probability p and a drawn word is selected whole;
 * nothing else is drawn, so about p of the pieces are selected, in whole words, with no cap. (This is
 * the transformers 5 algorithm. transformers 4 instead shuffled the words and took them while the
 * count stayed within max(1, round(len × p)), [CLS]/[SEP] counted in len; that code is gone.)
 *
 * Special: by token id, as the collators do when given no special_tokens_mask: they call
 * get_special_tokens_mask(ids, already_has_special_tokens=True), which marks every id in
 * all_special_ids. For a BERT tokenizer that is [PAD] [UNK] [CLS] [SEP] [MASK]: [UNK] is never
 * selected and a piece after it starts a word. (run_mlm.py passes the tokenizer's own mask, which
 * marks only template tokens; an [UNK] in the text would then be maskable. We follow the collator.)
 *
 * Replacement, for both: of the selected, Bernoulli(0.8) → [MASK]; of the rest, Bernoulli(0.5) → a
 * uniform id in [0, vocabSize) (it may equal the original); else unchanged. DataCollatorForWholeWordMask
 * keeps this split because it sets whole_word_mask only after __post_init__; only
 * DataCollatorForLanguageModeling(whole_word_mask=True) would force all [MASK].
 * Draws are made only where they matter (torch draws for every position): same distribution.
 */
package dev.kanna.pretrain;

import dev.kanna.tokenizer.AddedToken;
import dev.kanna.tokenizer.BertTokenizer;

import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;

public final class MlmMasker {
    /** Label of a position the loss ignores (PyTorch cross-entropy's ignore_index). */
    public static final int IGNORED = -100;
    static final double MASK_REPLACE = 0.8;     // the collators' mask_replace_prob
    static final double RANDOM_REPLACE = 0.1;   // random_replace_prob, taken from the remaining 0.2

    /** The corrupted input and the labels: the original id at selected positions, {@link #IGNORED} elsewhere. */
    public record Masked(int[] inputIds, int[] labels) {}

    private final double probability;
    private final int vocabSize;
    private final int maskId;
    private final boolean[] special;       // [id]
    private final boolean wholeWord;
    private final boolean[] continuation;  // [id] the piece starts with "##"; null when not whole-word

    /**
     * @param probability  selection probability p, in (0, 1] (1 is well defined and useful in tests;
     *                     a command may narrow the range)
     * @param vocabSize    ids drawn for random replacement lie in [0, vocabSize): transformers uses
     *                     len(tokenizer), the vocabulary with added tokens
     * @param maskId       the [MASK] id
     * @param special      [id] true for the tokenizer's all_special_ids; its length bounds the ids accepted
     * @param wholeWord    select whole words (DataCollatorForWholeWordMask)
     * @param continuation [id] true for "##" pieces: the word rule of {@link #mask(int[], int, SplittableRandom)};
     *                     may be null when wholeWord is false
     */
    public MlmMasker(double probability, int vocabSize, int maskId, boolean[] special, boolean wholeWord,
                     boolean[] continuation) {
        if (!(probability > 0 && probability <= 1))
            throw new IllegalArgumentException("mlm probability must be in (0, 1], got " + probability);
        if (vocabSize <= 0) throw new IllegalArgumentException("vocabulary size must be positive, got " + vocabSize);
        if (maskId < 0 || maskId >= vocabSize)
            throw new IllegalArgumentException("[MASK] id " + maskId + " is outside the vocabulary of " + vocabSize);
        Objects.requireNonNull(special, "special");
        if (wholeWord && continuation == null)
            throw new IllegalArgumentException("whole-word masking needs the continuation (\"##\") flags");
        if (continuation != null && continuation.length != special.length)
            throw new IllegalArgumentException("special and continuation flags cover " + special.length + " and "
                    + continuation.length + " ids");
        this.probability = probability;
        this.vocabSize = vocabSize;
        this.maskId = maskId;
        this.special = special.clone();
        this.wholeWord = wholeWord;
        this.continuation = continuation == null ? null : continuation.clone();
    }

    /**
     * The masker of a tokenizer: special flags from its special added tokens (all_special_ids), "##"
     * continuation flags from its vocabulary, random replacements over all its ids.
     */
    public static MlmMasker forTokenizer(BertTokenizer tokenizer, double probability, boolean wholeWord, int maskId) {
        int vocab = tokenizer.vocabSize();
        boolean[] special = new boolean[vocab], continuation = new boolean[vocab];
        for (AddedToken t : tokenizer.addedTokens()) if (t.special() && t.id() < vocab) special[t.id()] = true;
        for (int id = 0; id < vocab; id++) continuation[id] = tokenizer.idToToken(id).map(t -> t.startsWith("##")).orElse(false);
        return new MlmMasker(probability, vocab, maskId, special, wholeWord, continuation);
    }

    /** Whether this masker selects whole words (then mask with word starts). */
    public boolean wholeWord() {
        return wholeWord;
    }

    /** Masks a sequence without padding. */
    public Masked mask(int[] ids, SplittableRandom random) {
        return mask(ids, ids.length, random);
    }

    /**
     * Masks ids[0, length); positions from length on are padding and come back unchanged, never selected.
     * Whole-word masking takes its words from the "##" flags ({@link #pieceWordStarts}).
     */
    public Masked mask(int[] ids, int length, SplittableRandom random) {
        return select(ids, length, wholeWord ? pieceWordStarts(ids, length) : null, random);
    }

    /**
     * Whole-word masking with the word starts given, e.g. {@link #offsetWordStarts} for transformers 5's
     * exact word rule. A start is implied at position 0 and after a special token, as the collator does.
     */
    public Masked mask(int[] ids, int length, boolean[] wordStarts, SplittableRandom random) {
        if (!wholeWord) throw new IllegalStateException("word starts given to a masker that is not whole-word");
        Objects.requireNonNull(wordStarts, "wordStarts");
        if (wordStarts.length < length)
            throw new IllegalArgumentException("word starts cover " + wordStarts.length + " of " + length + " positions");
        return select(ids, length, wordStarts, random);
    }

    /** Word starts by the WordPiece rule: a word is a piece plus the "##" pieces after it. */
    public boolean[] pieceWordStarts(int[] ids, int length) {
        checkIds(ids, length);
        if (continuation == null) throw new IllegalStateException("no continuation flags given");
        boolean[] starts = new boolean[ids.length];
        for (int i = 0; i < length; i++) starts[i] = !special[ids[i]] && !continuation[ids[i]];
        return starts;
    }

    /**
     * Word starts by transformers 5's rule (_calc_word_ids_and_prob_mask): a non-special piece starts a
     * word when its start offset differs from the previous piece's end (or it follows a special token, or
     * is first). So "disease." is one word, "##" pieces never start one, and a line's pieces are grouped
     * as the text was written, by whitespace.
     *
     * @param starts start offset of each piece in its text (Kanna's Encoding.starts, as HF's offsets)
     * @param ends   end offset of each piece
     */
    public boolean[] offsetWordStarts(int[] ids, int length, int[] starts, int[] ends) {
        checkIds(ids, length);
        if (starts.length < length || ends.length < length)
            throw new IllegalArgumentException("offsets cover fewer than " + length + " positions");
        boolean[] wordStarts = new boolean[ids.length];
        for (int i = 0; i < length; i++)
            wordStarts[i] = !special[ids[i]] && (i == 0 || special[ids[i - 1]] || starts[i] != ends[i - 1]);
        return wordStarts;
    }

    private Masked select(int[] ids, int length, boolean[] wordStarts, SplittableRandom random) {
        checkIds(ids, length);
        Objects.requireNonNull(random, "random");
        int[] inputs = ids.clone();
        int[] labels = new int[ids.length];                   // (T)
        Arrays.fill(labels, IGNORED);
        boolean wordDrawn = false;                            // whole-word: the current word was selected
        for (int i = 0; i < length; i++) {
            int id = ids[i];
            boolean selected;
            if (special[id]) {
                wordDrawn = false;
                continue;
            } else if (wordStarts == null) {
                selected = random.nextDouble() < probability;
            } else {
                if (i == 0 || wordStarts[i] || special[ids[i - 1]]) wordDrawn = random.nextDouble() < probability;
                selected = wordDrawn;
            }
            if (!selected) continue;
            labels[i] = id;
            if (random.nextDouble() < MASK_REPLACE) inputs[i] = maskId;
            else if (random.nextDouble() < RANDOM_REPLACE / (1 - MASK_REPLACE)) inputs[i] = random.nextInt(vocabSize);
        }
        return new Masked(inputs, labels);
    }

    private void checkIds(int[] ids, int length) {
        Objects.requireNonNull(ids, "ids");
        if (length < 0 || length > ids.length)
            throw new IllegalArgumentException("length " + length + " outside a sequence of " + ids.length);
        for (int i = 0; i < length; i++)
            if (ids[i] < 0 || ids[i] >= special.length)
                throw new IllegalArgumentException("token id " + ids[i] + " at position " + i
                        + " is outside the vocabulary of " + special.length);
    }

    /**
     * The random source of one example's masks, derived from the run's seed, the epoch and the
     * example's index alone: a resumed run draws the same masks without replaying earlier ones, and
     * validation masks stay fixed when drawn with a fixed epoch (e.g. −1).
     */
    public static SplittableRandom forExample(long seed, int epoch, int example) {
        return new SplittableRandom(mix64(mix64(mix64(seed) + epoch) + example));
    }

    // Stafford's variant 13 of the MurmurHash3 finalizer: a bijection that spreads every input bit.
    private static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
