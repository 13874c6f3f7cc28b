/*
 * How import-onnx and fetch-model report what they did: progress lines on stderr while working, then
 * one summary line on stdout, or with --json one JSON object for scripts.
 */
package dev.kanna.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kanna.bert.BertConfig;
import dev.kanna.io.onnx.OnnxBertImporter;

import java.io.PrintWriter;
import java.util.Locale;

final class ImportSummary {

    private ImportSummary() {
    }

    static void print(OnnxBertImporter.Summary s, String source, boolean json, PrintWriter out, PrintWriter err) {
        if (!s.ignored().isEmpty()) {
            err.println("  skipped (not BertModel weights): " + String.join(", ", s.ignored()));
        }
        BertConfig c = s.config();
        if (json) {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            o.put("source", source);
            o.put("out", s.outDir().toString());
            o.put("num_hidden_layers", c.numHiddenLayers());
            o.put("hidden_size", c.hiddenSize());
            o.put("num_attention_heads", c.numAttentionHeads());
            o.put("heads_from", s.headsFrom());
            o.put("intermediate_size", c.intermediateSize());
            o.put("hidden_act", c.hiddenAct());
            o.put("layer_norm_eps", c.layerNormEps());
            o.put("vocab_size", c.vocabSize());
            o.put("tokenizer_tokens", s.vocabTokens());
            o.put("tensors", s.tensors());
            o.put("parameters", s.parameters());
            o.putArray("skipped").addAll(s.ignored().stream().map(JsonNodeFactory.instance::textNode).toList());
            out.println(o);
        } else {
            out.println(String.format(Locale.ROOT,
                    "imported %s -> %s: BERT, %d layers, hidden %d, %d heads, intermediate %d, %s, vocab %d; "
                            + "%d tensors, %s parameters",
                    source, s.outDir(), c.numHiddenLayers(), c.hiddenSize(), c.numAttentionHeads(), c.intermediateSize(),
                    c.hiddenAct(), c.vocabSize(), s.tensors(), parameters(s.parameters())));
        }
        out.flush();
        err.flush();
    }

    private static String parameters(long n) {
        return n >= 1_000_000 ? String.format(Locale.ROOT, "%.1fM", n / 1e6) : String.format(Locale.ROOT, "%,d", n);
    }
}
