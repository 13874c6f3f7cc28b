/*
 * Grows a checkpoint's vocabulary-sized tensors by one row per new word, each new row the mean of
 * the rows of the pieces the word used to split into: the word embeddings, and with an MLM head its
 * bias (and a decoder weight or bias, when the file stores them rather than tying them). The new
 * word then starts where the model already placed its pieces, so it means roughly what they meant
 * together (the "average of subwords" initialisation). Every other tensor is copied byte for byte,
 * the grown ones keep their old rows' bytes and their dtype, the header's metadata is kept.
 *
 *   new[V + k, :] = mean over p in pieces(word k) of old[p, :]      // (V + N, C) or (V + N)
 */
package dev.kanna.vocab;

import dev.kanna.io.SafetensorsDtype;
import dev.kanna.io.SafetensorsFile;
import dev.kanna.io.SafetensorsWriter;
import dev.kanna.io.TensorInfo;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

public final class EmbeddingGrowth {

    public static final String WEIGHTS_FILE = "model.safetensors";

    /** Tensors with one entry per vocabulary id, by HF name ("bert." prefixed or not for the embeddings). */
    private static final List<String> EMBEDDINGS = List.of("bert.embeddings.word_embeddings.weight",
            "embeddings.word_embeddings.weight");
    private static final List<String> HEAD = List.of("cls.predictions.bias", "cls.predictions.decoder.weight",
            "cls.predictions.decoder.bias");

    private EmbeddingGrowth() {
    }

    /** The vocabulary-sized tensors of a checkpoint: the word embeddings and any MLM head tensors. */
    public record Grown(String embeddings, List<String> head) {
        public List<String> all() {
            List<String> names = new ArrayList<>(List.of(embeddings));
            names.addAll(head);
            return names;
        }
    }

    /** Finds the tensors to grow and checks their shapes and dtypes, before any work is done. */
    public static Grown inspect(Path modelDir, int vocabSize) throws IOException {
        try (SafetensorsFile file = open(modelDir)) {
            return inspect(file, vocabSize);
        }
    }

    private static Grown inspect(SafetensorsFile file, int vocabSize) {
        String embeddings = null;
        for (String name : EMBEDDINGS) {
            if (!file.contains(name)) continue;
            if (embeddings != null) throw new VocabularyException(file.path() + ": holds both " + embeddings + " and " + name);
            embeddings = name;
        }
        if (embeddings == null) throw new VocabularyException(file.path() + ": no word embeddings (" + EMBEDDINGS.getFirst() + ")");
        List<String> head = new ArrayList<>();
        for (String name : HEAD) if (file.contains(name)) head.add(name);
        Grown grown = new Grown(embeddings, head);
        for (String name : grown.all()) check(file, file.info(name), vocabSize);
        return grown;
    }

    /**
     * Writes out/model.safetensors: the model's, with each vocabulary-sized tensor grown by
     * pieceIds.length rows.
     *
     * @param vocabSize the vocabulary's size before; those tensors must have exactly this many rows
     * @param pieceIds  for each new word, the old ids of its pieces
     */
    public static Grown write(Path modelDir, int vocabSize, int[][] pieceIds, Path out) throws IOException {
        try (SafetensorsFile file = open(modelDir)) {
            Grown grown = inspect(file, vocabSize);
            SafetensorsWriter writer = new SafetensorsWriter().metadata(file.metadata());
            for (TensorInfo t : file.infos()) {
                if (grown.all().contains(t.name())) {
                    grow(file, t, pieceIds, writer);
                } else {
                    writer.addRaw(t.name(), t.dtype(), file.segment(t.name()), t.shape());
                }
            }
            writer.write(out.resolve(WEIGHTS_FILE));
            return grown;
        }
    }

    private static SafetensorsFile open(Path modelDir) throws IOException {
        Path source = modelDir.resolve(WEIGHTS_FILE);
        if (!Files.isRegularFile(source)) {
            String hint = Files.exists(modelDir.resolve("model.safetensors.index.json"))
                    ? " (a sharded checkpoint: extend-vocab reads a single model.safetensors)" : "";
            throw new VocabularyException(modelDir + ": no " + WEIGHTS_FILE + hint);
        }
        return SafetensorsFile.open(source);
    }

    private static void check(SafetensorsFile file, TensorInfo t, int vocabSize) {
        long[] shape = t.shape();
        if (shape.length < 1 || shape.length > 2 || shape[0] != vocabSize) {
            throw new VocabularyException(file.path() + ": tensor " + t.name() + " has shape " + Arrays.toString(shape)
                    + ", expected " + vocabSize + " rows (the vocabulary's size)");
        }
        SafetensorsDtype d = t.dtype();
        if (d != SafetensorsDtype.F32 && d != SafetensorsDtype.F16 && d != SafetensorsDtype.BF16 && d != SafetensorsDtype.F64) {
            throw new VocabularyException(file.path() + ": tensor " + t.name() + " is " + d + "; expected F32, F16, BF16 or F64");
        }
    }

    private static void grow(SafetensorsFile file, TensorInfo t, int[][] pieceIds, SafetensorsWriter writer) {
        long[] shape = t.shape();
        SafetensorsDtype dtype = t.dtype();
        int width = dtype.bits() / 8;
        int columns = shape.length == 2 ? Math.toIntExact(shape[1]) : 1;
        long oldBytes = t.byteLength();
        long newBytes = Math.addExact(oldBytes, Math.multiplyExact((long) pieceIds.length * columns, width));
        if (newBytes > Integer.MAX_VALUE - 8) throw new VocabularyException(file.path() + ": tensor " + t.name() + " would exceed 2 GiB");
        float[] old = file.floats(t.name());                     // (V, C), widened exactly
        ByteBuffer out = ByteBuffer.allocate((int) newBytes).order(ByteOrder.LITTLE_ENDIAN);
        out.put(file.segment(t.name()).toArray(ValueLayout.JAVA_BYTE));   // old rows: their very bytes
        double[] sum = new double[columns];
        for (int[] pieces : pieceIds) {
            Arrays.fill(sum, 0);
            for (int id : pieces) {
                for (int c = 0; c < columns; c++) sum[c] += old[id * columns + c];
            }
            for (int c = 0; c < columns; c++) put(out, dtype, sum[c] / pieces.length);
        }
        long[] grown = shape.clone();
        grown[0] += pieceIds.length;
        writer.addRaw(t.name(), dtype, out.array(), grown);
    }

    /** One value in the tensor's dtype, rounded to nearest even as torch casts. */
    private static void put(ByteBuffer out, SafetensorsDtype dtype, double value) {
        switch (dtype) {
            case F64 -> out.putDouble(value);
            case F32 -> out.putFloat((float) value);
            case F16 -> out.putShort(Float.floatToFloat16((float) value));
            case BF16 -> out.putShort(SafetensorsWriter.toBFloat16((float) value));
            default -> throw new IllegalStateException(dtype.toString());
        }
    }
}
