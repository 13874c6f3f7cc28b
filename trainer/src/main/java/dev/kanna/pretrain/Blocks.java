/*
 * Sequences for masked-LM pretraining from tokenized text, in the two packings of transformers'
 * examples/pytorch/language-modeling/run_mlm.py.
 *
 * Blocks (the default): run_mlm tokenizes every line WITH its special tokens and no truncation, then
 * group_texts concatenates them and cuts the stream into blocks of max_seq_length, dropping the
 * remainder. So [CLS]/[SEP] stay where the lines put them, inside blocks, and a block has no [CLS] of
 * its own; we mirror that exactly: the input is lines encoded with specials, the block size the max
 * length. group_texts is not in the transformers wheel; this follows its published definition
 * (concatenate all texts, total_length = (total_length // block_size) * block_size, slice). One
 * difference: run_mlm maps it over batches of 1,000 lines (datasets' default), dropping a remainder
 * per batch; we concatenate the whole text once, which is the same for up to 1,000 lines.
 *
 * Lines (--packing lines, run_mlm's --line_by_line): one sequence per line, the pieces truncated to
 * max length − 2 and put between [CLS] and [SEP], as the tokenizer's truncation does.
 */
package dev.kanna.pretrain;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

public final class Blocks {
    private Blocks() {}

    /**
     * Concatenates the lines and cuts them into blocks of blockSize tokens, dropping the remainder.
     *
     * @param encodedLines each line's ids with its [CLS]/[SEP] (tokenized with special tokens)
     * @param blockSize    tokens per block: the max length
     * @throws IllegalArgumentException when the text holds fewer tokens than one block (the caller
     *                                  names the file)
     */
    public static List<int[]> group(List<int[]> encodedLines, int blockSize) {
        int blocks = blockCount(encodedLines.stream().mapToInt(l -> l.length).toArray(), blockSize);
        int[] stream = new int[Math.multiplyExact(blocks, blockSize)];
        int at = 0;
        for (int[] line : encodedLines) {
            int n = Math.min(line.length, stream.length - at);
            System.arraycopy(line, 0, stream, at, n);
            at += n;
        }
        List<int[]> result = new ArrayList<>(blocks);
        for (int b = 0; b < blocks; b++) result.add(Arrays.copyOfRange(stream, b * blockSize, (b + 1) * blockSize));
        return result;
    }

    /**
     * Cuts per-line word starts ({@link MlmMasker#offsetWordStarts}) exactly as {@link #group} cuts the
     * lines' ids, for whole-word masking of blocks. A block that begins inside a word needs nothing
     * here: the masker starts a word at position 0, as the collator does.
     */
    public static List<boolean[]> groupWordStarts(List<boolean[]> perLine, int blockSize) {
        int blocks = blockCount(perLine.stream().mapToInt(l -> l.length).toArray(), blockSize);
        boolean[] stream = new boolean[Math.multiplyExact(blocks, blockSize)];
        int at = 0;
        for (boolean[] line : perLine) {
            int n = Math.min(line.length, stream.length - at);
            System.arraycopy(line, 0, stream, at, n);
            at += n;
        }
        List<boolean[]> result = new ArrayList<>(blocks);
        for (int b = 0; b < blocks; b++) result.add(Arrays.copyOfRange(stream, b * blockSize, (b + 1) * blockSize));
        return result;
    }

    /**
     * One sequence per line: [CLS], the first maxLength − 2 pieces, [SEP].
     *
     * @param pieces each line's piece ids, without special tokens
     * @throws IllegalArgumentException when a line has no pieces (its index is in the message)
     */
    public static List<int[]> lines(List<int[]> pieces, int maxLength, int clsId, int sepId) {
        if (maxLength < 3)
            throw new IllegalArgumentException("max length " + maxLength + " leaves no room for a piece between [CLS] and [SEP]");
        List<int[]> result = new ArrayList<>(pieces.size());
        for (int i = 0; i < pieces.size(); i++) {
            int[] line = pieces.get(i);
            if (line.length == 0) throw new IllegalArgumentException("line at index " + i + " has no tokens");
            int n = Math.min(line.length, maxLength - 2);
            int[] sequence = new int[n + 2];
            sequence[0] = clsId;
            System.arraycopy(line, 0, sequence, 1, n);
            sequence[n + 1] = sepId;
            result.add(sequence);
        }
        return result;
    }

    private static int blockCount(int[] lineLengths, int blockSize) {
        if (blockSize <= 0) throw new IllegalArgumentException("block size must be positive, got " + blockSize);
        long total = 0;
        for (int n : lineLengths) total += n;
        if (total < blockSize)
            throw new IllegalArgumentException("the text has " + total + " tokens, fewer than one block of "
                    + blockSize);
        return Math.toIntExact(total / blockSize);
    }
}
