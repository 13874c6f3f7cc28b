/*
 * Streams input lines in batches: reads up to batch-size lines, encodes them, pads them to the
 * longest (HF's "longest" padding, attention mask 0 on padding), and hands each batch over, so
 * output starts before the input ends and memory stays bounded.
 */
package dev.kanna.cli;

import dev.kanna.bert.Batch;
import dev.kanna.data.Utf8Lines;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

final class LineBatches {

    /** What is done with each batch; lengths are the unpadded token counts, in input order. */
    interface Consumer {
        void accept(Batch batch, int[] lengths) throws IOException;
    }

    private LineBatches() {
    }

    /** Encodes every line of in, batchSize at a time, padding with padId; returns the number of lines. */
    static long forEach(Utf8Lines in, LineEncoder encoder, int batchSize, int padId, Consumer consumer) throws IOException {
        List<LineEncoder.Encoded> pending = new ArrayList<>();
        for (String line; (line = in.readLine()) != null; ) {
            pending.add(encoder.encode(line, in.lineNumber()));
            if (pending.size() == batchSize) {
                flush(pending, padId, consumer);
                pending.clear();
            }
        }
        if (!pending.isEmpty()) flush(pending, padId, consumer);
        return in.lineNumber();
    }

    private static void flush(List<LineEncoder.Encoded> inputs, int padId, Consumer consumer) throws IOException {
        int[] lengths = new int[inputs.size()];
        List<int[]> ids = new ArrayList<>(inputs.size()), types = new ArrayList<>(inputs.size());
        for (int i = 0; i < lengths.length; i++) {
            LineEncoder.Encoded e = inputs.get(i);
            lengths[i] = e.ids().length;
            ids.add(e.ids());
            types.add(e.typeIds());
        }
        consumer.accept(Batch.pad(ids, types, padId), lengths);
    }
}
