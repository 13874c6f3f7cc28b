/*
 * Streams input lines in batches, sorted by length within a window: reads up to WINDOW_BATCHES
 * batches' worth of lines, encodes them, cuts the window into batches of similar length (longest
 * first, as sentence-transformers sorts its inputs) padded to their longest (HF's "longest" padding,
 * attention mask 0 on padding), and writes each window's output lines in input order. A mix of short
 * and long texts then wastes little on padding, memory stays bounded by the window, and output starts
 * after the first window rather than at the end of the input.
 */
package dev.kanna.cli;

import dev.kanna.bert.Batch;
import dev.kanna.data.Utf8Lines;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

final class LineBatches {

    /** Batches per window: enough lines to group lengths well, few enough to start output soon. */
    static final int WINDOW_BATCHES = 8;

    /** What is done with each batch: one output line (no newline) per input, in the batch's order. */
    interface Consumer {
        List<String> accept(Batch batch, int[] lengths) throws IOException;
    }

    private LineBatches() {
    }

    /**
     * Encodes every line of in, batchSize at a time within sorted windows, padding with padId, and
     * prints the consumer's lines to out in input order; returns the number of lines.
     */
    static long forEach(Utf8Lines in, LineEncoder encoder, int batchSize, int padId, Consumer consumer, PrintWriter out)
            throws IOException {
        int window = Math.multiplyExact(batchSize, WINDOW_BATCHES);
        List<LineEncoder.Encoded> pending = new ArrayList<>();
        for (String line; (line = in.readLine()) != null; ) {
            pending.add(encoder.encode(line, in.lineNumber()));
            if (pending.size() == window) {
                runWindow(pending, batchSize, padId, consumer, out);
                pending.clear();
            }
        }
        if (!pending.isEmpty()) runWindow(pending, batchSize, padId, consumer, out);
        return in.lineNumber();
    }

    private static void runWindow(List<LineEncoder.Encoded> inputs, int batchSize, int padId, Consumer consumer,
                                  PrintWriter out) throws IOException {
        Integer[] order = new Integer[inputs.size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Arrays.sort(order, Comparator.comparingInt((Integer i) -> -inputs.get(i).ids().length));   // stable: ties keep input order
        String[] lines = new String[inputs.size()];
        for (int from = 0; from < order.length; from += batchSize) {
            int n = Math.min(batchSize, order.length - from);
            int[] lengths = new int[n];
            List<int[]> ids = new ArrayList<>(n), types = new ArrayList<>(n);
            for (int j = 0; j < n; j++) {
                LineEncoder.Encoded e = inputs.get(order[from + j]);
                lengths[j] = e.ids().length;
                ids.add(e.ids());
                types.add(e.typeIds());
            }
            List<String> produced = consumer.accept(Batch.pad(ids, types, padId), lengths);
            if (produced.size() != n) throw new IllegalStateException(produced.size() + " output lines for " + n + " inputs");
            for (int j = 0; j < n; j++) lines[order[from + j]] = produced.get(j);
        }
        StringBuilder sb = new StringBuilder();
        for (String line : lines) sb.append(line).append('\n');
        out.print(sb);
        out.flush();
    }
}
