/*
 * A Hugging Face model directory's weights as a WeightSource: model.safetensors, or the shards named
 * by model.safetensors.index.json. Files stay memory-mapped until close(); tensors are widened to
 * fp32 as they are read.
 */
package dev.kanna.bert;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kanna.io.SafetensorsFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

public final class SafetensorsWeights implements WeightSource, AutoCloseable {
    private final String origin;
    private final Map<String, SafetensorsFile> fileOf = new LinkedHashMap<>();   // tensor name → its file
    private final Map<Path, SafetensorsFile> files = new LinkedHashMap<>();

    private SafetensorsWeights(String origin) {
        this.origin = origin;
    }

    /** Opens the weights of the model directory dir. */
    public static SafetensorsWeights open(Path dir) throws IOException {
        Path single = dir.resolve("model.safetensors"), index = dir.resolve("model.safetensors.index.json");
        if (Files.isRegularFile(single)) {
            SafetensorsWeights w = new SafetensorsWeights(single.toString());
            w.add(single, null);
            return w;
        }
        if (Files.isRegularFile(index)) return sharded(dir, index);
        String hint = Files.exists(dir.resolve("pytorch_model.bin"))
                ? " (pytorch_model.bin is not read: re-save the model with safetensors)" : "";
        throw new WeightsException(dir + ": no model.safetensors or model.safetensors.index.json" + hint);
    }

    private static SafetensorsWeights sharded(Path dir, Path index) throws IOException {
        JsonNode map;
        try {
            map = new ObjectMapper().readTree(index.toFile()).get("weight_map");
        } catch (JsonProcessingException e) {
            throw new WeightsException(index + ": not valid JSON (line " + e.getLocation().getLineNr() + "): "
                    + e.getOriginalMessage());
        }
        if (map == null || !map.isObject()) throw new WeightsException(index + ": no weight_map object");
        SafetensorsWeights w = new SafetensorsWeights(index.toString());
        try {
            for (Iterator<Map.Entry<String, JsonNode>> it = map.properties().iterator(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isTextual()) {
                    throw new WeightsException(index + ": weight_map entry '" + e.getKey() + "' is not a file name");
                }
                Path shard = dir.resolve(e.getValue().asText()).normalize();
                if (!shard.startsWith(dir.normalize())) throw new WeightsException(index + ": shard " + shard + " is outside " + dir);
                w.add(shard, e.getKey());
            }
            return w;
        } catch (IOException | RuntimeException e) {
            w.close();
            throw e;
        }
    }

    /** Adds the file (opened once) for one tensor name, or for all its tensors when name is null. */
    private void add(Path path, String name) throws IOException {
        SafetensorsFile file = files.get(path);
        if (file == null) {
            file = SafetensorsFile.open(path);
            files.put(path, file);
        }
        if (name != null) {
            if (!file.contains(name)) throw new WeightsException(path + ": missing tensor " + name + " listed in the index");
            fileOf.put(name, file);
        } else {
            for (String n : file.names()) fileOf.put(n, file);
        }
    }

    @Override
    public String origin() {
        return origin;
    }

    @Override
    public Set<String> names() {
        return fileOf.keySet();
    }

    @Override
    public int[] shape(String name) {
        return fileOf.get(name).info(name).intShape();
    }

    @Override
    public float[] floats(String name) {
        return fileOf.get(name).floats(name);
    }

    @Override
    public void close() {
        files.values().forEach(SafetensorsFile::close);
    }
}
