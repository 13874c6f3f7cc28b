/*
 * What every loaded BERT (bare, or with a head) offers: its config, its parameters under HF names,
 * and its tensors in the form save_pretrained writes them (fused projections split back into
 * query/key/value, tied decoder weights omitted), ready for the safetensors writer.
 */
package dev.kanna.bert;

import dev.kanna.autograd.Module;
import dev.kanna.autograd.Parameter;
import dev.kanna.backend.Backend;
import dev.kanna.io.SafetensorsWriter;
import dev.kanna.tensor.HostTensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

public sealed interface PretrainedBert extends Module permits BertModel, TaskModel {

    BertConfig config();

    /** The encoder (embeddings, layers, pooler) this model is built on. */
    BertModel bert();

    /** The config.json this model is saved with: its architecture named as transformers names it. */
    BertConfig savedConfig();

    /**
     * Writes model.safetensors (fp32, HF names, metadata format=pt as save_pretrained) and config.json
     * into dir, each file atomically (temporary sibling, then rename).
     */
    default void save(Path dir) throws IOException {
        Files.createDirectories(dir);
        SafetensorsWriter writer = new SafetensorsWriter().putMetadata("format", "pt");
        stateDict().forEach((name, t) -> writer.addF32(name, t.data(), Arrays.stream(t.shape()).asLongStream().toArray()));
        writer.write(dir.resolve("model.safetensors"));
        savedConfig().write(dir.resolve("config.json"));
    }

    /** HF name → values, as transformers' save_pretrained names them for this architecture. */
    default Map<String, HostTensor> stateDict() {
        return stateDict(parameters(), "");
    }

    /** The parameters' tensors under their HF names with stripPrefix removed; fused ones split along dim 0. */
    static Map<String, HostTensor> stateDict(List<Parameter> parameters, String stripPrefix) {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (Parameter p : parameters) {
            Backend backend = p.value().backend();
            float[] all = backend.download(p.value());
            int parts = p.names().size(), partSize = all.length / parts;
            int[] shape = p.value().shape();
            shape[0] /= parts;
            for (int k = 0; k < parts; k++) {
                String name = p.names().get(k);
                if (!stripPrefix.isEmpty() && name.startsWith(stripPrefix)) name = name.substring(stripPrefix.length());
                out.put(name, new HostTensor(shape.clone(), Arrays.copyOfRange(all, k * partSize, (k + 1) * partSize)));
            }
        }
        return out;
    }
}
