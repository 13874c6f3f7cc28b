/*
 * `kanna import-onnx`: a BERT exported to ONNX (transformers.js / Optimum form) plus its
 * tokenizer.json become a Hugging Face model directory (see OnnxBertImporter).
 */
package dev.kanna.cli;

import dev.kanna.io.onnx.OnnxBertImporter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "import-onnx",
        mixinStandardHelpOptions = true,
        description = {
                "Import a BERT exported to ONNX, with its tokenizer.json, as a Hugging Face model directory.",
                "Reads the transformers.js/Optimum form (anonymous transposed MatMul weights named through the Add "
                        + "carrying their bias) and writes config.json, model.safetensors, tokenizer.json, vocab.txt and "
                        + "tokenizer_config.json.",
                "The configuration is read from the weights and the graph; the head count from the attention "
                        + "Reshape (or --num-heads).",
                "Example: kanna import-onnx --onnx model.onnx --tokenizer tokenizer.json --out models/my-bert"})
final class ImportOnnxCommand implements Callable<Integer> {

    @Option(names = "--onnx", required = true, paramLabel = "FILE", description = "The exported model (.onnx).")
    Path onnx;

    @Option(names = "--tokenizer", required = true, paramLabel = "FILE",
            description = "The model's Hugging Face tokenizer.json (WordPiece).")
    Path tokenizer;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "The model directory to create.")
    Path out;

    @Option(names = "--num-heads", paramLabel = "N",
            description = "Attention head count, for graphs that do not show it (must agree with the graph when it does).")
    Integer numHeads;

    @Option(names = "--overwrite", description = "Replace DIR if it exists (it is replaced whole, at the end).")
    boolean overwrite;

    @Option(names = "--json", description = "Print the summary as one JSON object.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        var err = spec.commandLine().getErr();
        OnnxBertImporter.Summary summary = OnnxBertImporter.importModel(onnx, tokenizer, out,
                new OnnxBertImporter.Options(numHeads, overwrite, line -> {
                    err.println("kanna import-onnx: " + line);
                    err.flush();
                }));
        ImportSummary.print(summary, onnx.getFileName().toString(), json, spec.commandLine().getOut(), err);
        return 0;
    }
}
