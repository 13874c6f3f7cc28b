/*
 * Turns a BERT exported to ONNX (transformers.js/Optimum form) plus its tokenizer.json into a Hugging
 * Face model directory that transformers' BertModel and AutoTokenizer load unchanged:
 * config.json, model.safetensors (BertModel.save_pretrained's names, no "bert." prefix),
 * tokenizer.json (copied), vocab.txt and tokenizer_config.json. The directory is built under a
 * temporary sibling name and renamed into place at the end, so it is never half-written.
 */
package dev.kanna.io.onnx;

import dev.kanna.bert.BertConfig;
import dev.kanna.io.AtomicFiles;
import dev.kanna.io.SafetensorsWriter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

public final class OnnxBertImporter {

    /** numHeads: override the head count found in the graph (null: find it); progress: one-line status updates. */
    public record Options(Integer numHeads, boolean overwrite, Consumer<String> progress) {
        public static Options defaults() {
            return new Options(null, false, s -> { });
        }
    }

    /** What was imported, for the one-line summary. */
    public record Summary(Path outDir, BertConfig config, int tensors, long parameters, int vocabTokens,
                          List<String> ignored, String headsFrom) {
    }

    private OnnxBertImporter() {
    }

    public static Summary importModel(Path onnx, Path tokenizerJson, Path outDir, Options options) throws IOException {
        requireFile(onnx, "an ONNX model");
        requireFile(tokenizerJson, "a Hugging Face tokenizer.json");
        if (Files.exists(outDir, LinkOption.NOFOLLOW_LINKS) && !options.overwrite()) {
            throw new OnnxImportException(outDir, "already exists; pass --overwrite to replace it");
        }
        options.progress().accept(String.format(Locale.ROOT, "reading %s (%.1f MB)", onnx.getFileName(),
                Files.size(onnx) / 1e6));
        try (OnnxModel model = OnnxModel.open(onnx)) {
            BertOnnxGraph.Result bert = BertOnnxGraph.read(model, options.numHeads());
            TokenizerFiles.Tokenizer tokenizer = TokenizerFiles.read(tokenizerJson);
            BertConfig config = bert.config();
            if (tokenizer.vocab().size() > config.vocabSize()) {
                throw new OnnxImportException(tokenizerJson, "holds " + tokenizer.vocab().size() + " tokens, but the model's "
                        + "word embeddings have only " + config.vocabSize() + " rows; expected the model's own tokenizer");
            }
            if (tokenizer.padId() != null) config = config.toBuilder().padTokenId(tokenizer.padId()).build();

            Path temp = AtomicFiles.createSiblingTempDirectory(outDir);
            try {
                options.progress().accept("writing " + bert.weights().size() + " tensors to " + outDir);
                SafetensorsWriter writer = new SafetensorsWriter().putMetadata("format", "pt");
                long parameters = 0;
                for (BertOnnxGraph.Weight w : bert.weights().values()) {
                    writer.addF32(w.name(), w.data(), w.shape());
                    parameters += w.data().length;
                }
                writer.write(temp.resolve("model.safetensors"));
                config.write(temp.resolve("config.json"));
                Files.copy(tokenizerJson, temp.resolve("tokenizer.json"));
                AtomicFiles.writeString(temp.resolve("vocab.txt"), tokenizer.vocabTxt());
                AtomicFiles.writeString(temp.resolve("tokenizer_config.json"),
                        tokenizer.tokenizerConfigJson(config.maxPositionEmbeddings()));
                AtomicFiles.publishDirectory(temp, outDir, options.overwrite());
                return new Summary(outDir, config, bert.weights().size(), parameters, tokenizer.vocab().size(),
                        bert.ignored(), bert.headsFrom());
            } catch (IOException | RuntimeException | Error e) {
                AtomicFiles.deleteRecursively(temp);
                throw e;
            }
        }
    }

    private static void requireFile(Path file, String what) {
        if (!Files.isRegularFile(file)) throw new OnnxImportException(file, "no such file; expected " + what);
    }
}
