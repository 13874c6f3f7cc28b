/*
 * Sentences of words after tokenization, as token classification trains and scores them. Each
 * word is tokenized on its own (transformers' is_split_into_words): one or more pieces. A sentence
 * whose pieces do not fit in one sequence is not cut: it becomes overlapping windows of at most
 * maxLength − 2 pieces, consecutive windows sharing `stride` pieces, and each word is scored from
 * the window where it has the most context (the most pieces on its shorter side), so no word is
 * left unlabelled. The examples the model sees are the windows: [CLS] pieces [SEP].
 *
 * Targets: a word's tag on its first piece in every window that holds it; −100 (ignored) on
 * [CLS], [SEP], padding and later pieces, or with labelAllTokens the word's tag as an I- tag there.
 */
package dev.kanna.task;

import dev.kanna.bert.Batch;
import dev.kanna.train.Targets;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

public final class TokenWindows implements TaskData {
    static final int IGNORED = -100;

    private final int[][][] pieces;      // [sentence][word][piece] token ids
    private final int[][] tags;          // [sentence][word] tag id; null when unlabelled
    private final int[] insideTag;       // [tag] the tag later pieces get under labelAllTokens; null otherwise
    private final int cls, sep, pad;
    private final int[][] firstPiece;    // [sentence][word] index of its first piece in the sentence; −1: no pieces
    private final int[][] wordOfPiece;   // [sentence][piece] the word it belongs to
    private final int[] windowSentence;  // [window]
    private final int[] windowFrom;      // [window] first piece (sentence index), inclusive
    private final int[] windowTo;        // [window] last piece, exclusive
    private final int[][] owner;         // [sentence][word] the window that scores it; −1: no pieces

    /**
     * @param pieces    [sentence][word] the word's piece ids (possibly none: a word the normaliser empties)
     * @param tags      [sentence][word] tag ids, or null for unlabelled input
     * @param insideTag [tag] the tag of a word's later pieces, or null to ignore them
     */
    TokenWindows(int[][][] pieces, int[][] tags, int[] insideTag, int maxLength, int stride, int cls, int sep, int pad) {
        int span = maxLength - 2;
        if (span < 1) throw new IllegalArgumentException("--max-length " + maxLength + " leaves no room for a word");
        if (stride < 0 || stride >= span) {
            throw new IllegalArgumentException("--stride must be in [0, " + (span - 1) + "] for --max-length " + maxLength
                    + ", got " + stride);
        }
        this.pieces = pieces;
        this.tags = tags;
        this.insideTag = insideTag;
        this.cls = cls;
        this.sep = sep;
        this.pad = pad;
        int n = pieces.length;
        firstPiece = new int[n][];
        wordOfPiece = new int[n][];
        owner = new int[n][];
        List<int[]> windows = new ArrayList<>();   // {sentence, from, to}
        for (int s = 0; s < n; s++) {
            int count = 0;
            firstPiece[s] = new int[pieces[s].length];
            for (int w = 0; w < pieces[s].length; w++) {
                firstPiece[s][w] = pieces[s][w].length == 0 ? -1 : count;
                count += pieces[s][w].length;
            }
            wordOfPiece[s] = new int[count];
            for (int w = 0, q = 0; w < pieces[s].length; w++) {
                for (int k = 0; k < pieces[s][w].length; k++) wordOfPiece[s][q++] = w;
            }
            int firstWindow = windows.size();
            for (int from = 0; ; from += span - stride) {
                int to = Math.min(count, from + span);
                windows.add(new int[]{s, from, to});
                if (to == count) break;
            }
            owner[s] = new int[pieces[s].length];
            for (int w = 0; w < pieces[s].length; w++) owner[s][w] = bestWindow(windows, firstWindow, firstPiece[s][w]);
        }
        windowSentence = windows.stream().mapToInt(x -> x[0]).toArray();
        windowFrom = windows.stream().mapToInt(x -> x[1]).toArray();
        windowTo = windows.stream().mapToInt(x -> x[2]).toArray();
    }

    /** Among the sentence's windows (from index first on), the one where piece p has the most context on its shorter side. */
    private static int bestWindow(List<int[]> windows, int first, int p) {
        if (p < 0) return -1;
        int best = -1, bestContext = -1;
        for (int k = first; k < windows.size(); k++) {
            int[] win = windows.get(k);
            if (p < win[1] || p >= win[2]) continue;
            int context = Math.min(p - win[1], win[2] - 1 - p);
            if (context > bestContext) {
                best = k;
                bestContext = context;
            }
        }
        return best;
    }

    /** Windows: the examples the model runs over. */
    @Override
    public int size() {
        return windowSentence.length;
    }

    @Override
    public int length(int window) {
        return windowTo[window] - windowFrom[window] + 2;
    }

    /** The sentence a window belongs to. */
    public int sentence(int window) {
        return windowSentence[window];
    }

    public int sentences() {
        return pieces.length;
    }

    public int words(int sentence) {
        return pieces[sentence].length;
    }

    /** The tag id of a word (labelled data). */
    public int tag(int sentence, int word) {
        return tags[sentence][word];
    }

    /** The window that scores a word, or −1 when the word has no pieces. */
    public int owner(int sentence, int word) {
        return owner[sentence][word];
    }

    /** The position of a word's first piece in its owner window's sequence ([CLS] at 0). */
    public int position(int sentence, int word) {
        return 1 + firstPiece[sentence][word] - windowFrom[owner[sentence][word]];
    }

    @Override
    public Batch batch(int[] indices) {
        List<int[]> sequences = new ArrayList<>(indices.length);
        for (int w : indices) {
            int s = windowSentence[w], from = windowFrom[w], to = windowTo[w];
            int[] ids = new int[to - from + 2];
            ids[0] = cls;
            for (int q = from; q < to; q++) {
                int word = wordOfPiece[s][q];
                ids[1 + q - from] = pieces[s][word][q - firstPiece[s][word]];
            }
            ids[ids.length - 1] = sep;
            sequences.add(ids);
        }
        return Batch.pad(sequences, pad);
    }

    /** Class ids (B·T) for batch(indices): tags on first pieces, −100 elsewhere (see the header). */
    @Override
    public Targets targets(int[] indices) {
        int t = 1;
        for (int w : indices) t = Math.max(t, length(w));
        int[] labels = new int[indices.length * t];                      // (B, T)
        Arrays.fill(labels, IGNORED);
        for (int b = 0; b < indices.length; b++) {
            int w = indices[b], s = windowSentence[w];
            for (int q = windowFrom[w]; q < windowTo[w]; q++) {
                int word = wordOfPiece[s][q], tag = tags[s][word];
                boolean first = q == firstPiece[s][word];
                if (first) labels[b * t + 1 + q - windowFrom[w]] = tag;
                else if (insideTag != null) labels[b * t + 1 + q - windowFrom[w]] = insideTag[tag];
            }
        }
        return new Targets.Classes(labels);
    }
}
