/*
 * Sharded checkpoints (model.safetensors.index.json + shards, as save_pretrained writes large models):
 * the same model as the single file, and one clear line for a broken index.
 */
package dev.kanna.bert;

import dev.kanna.backend.Backend;
import dev.kanna.backend.cpu.CpuBackend;
import dev.kanna.io.SafetensorsWriter;
import dev.kanna.tensor.HostTensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShardedWeightsTest {
    static Backend backend;

    @BeforeAll
    static void open() {
        backend = new CpuBackend(2);
    }

    @AfterAll
    static void close() {
        backend.close();
    }

    /** The tiny classifier's directory with its weights split over two shards and an index. */
    static Path sharded(Path dir) throws IOException {
        Map<String, HostTensor> tensors = ModelLoadingTest.tensors(ModelLoadingTest.CLS);
        List<String> names = new ArrayList<>(tensors.keySet());
        SafetensorsWriter first = new SafetensorsWriter(), second = new SafetensorsWriter();
        StringBuilder index = new StringBuilder("{\"metadata\": {}, \"weight_map\": {");
        for (int i = 0; i < names.size(); i++) {
            HostTensor t = tensors.get(names.get(i));
            boolean early = i < names.size() / 2;
            (early ? first : second).addF32(names.get(i), t.data(), Arrays.stream(t.shape()).asLongStream().toArray());
            index.append(i == 0 ? "" : ", ").append('"').append(names.get(i)).append("\": \"")
                    .append(early ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors").append('"');
        }
        first.write(dir.resolve("model-00001-of-00002.safetensors"));
        second.write(dir.resolve("model-00002-of-00002.safetensors"));
        Files.writeString(dir.resolve("model.safetensors.index.json"), index.append("}}").toString());
        Files.copy(ModelLoadingTest.CLS.resolve("config.json"), dir.resolve("config.json"));
        return dir;
    }

    @Test
    void shardedCheckpointLoadsAsTheSingleFile(@TempDir Path dir) throws IOException {
        Batch batch = ModelLoadingTest.batch();
        float[][] expected = BertForSequenceClassification.load(ModelLoadingTest.CLS, backend, LoadOptions.defaults()).logits(batch);
        float[][] actual = BertForSequenceClassification.load(sharded(dir), backend, LoadOptions.defaults()).logits(batch);
        for (int i = 0; i < expected.length; i++) assertArrayEquals(expected[i], actual[i]);
    }

    /** The error loading the sharded directory gives once its index is replaced by {@code json}. */
    private static WeightsException loadWithIndex(Path dir, String json) throws IOException {
        Files.writeString(sharded(dir).resolve("model.safetensors.index.json"), json);
        return assertThrows(WeightsException.class, () -> BertForSequenceClassification.load(dir, backend, LoadOptions.defaults()));
    }

    @Test
    void indexThatIsNotJsonIsOneLineNamingIt(@TempDir Path dir) throws IOException {
        var e = loadWithIndex(dir, "{\"weight_map\": {\n  \"a\": ");
        assertTrue(e.getMessage().startsWith(dir.resolve("model.safetensors.index.json") + ": not valid JSON (line 2)"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }

    @Test
    void indexEntryThatIsNotAFileNameIsRejected(@TempDir Path dir) throws IOException {
        var e = loadWithIndex(dir, "{\"weight_map\": {\"bert.pooler.dense.weight\": {\"file\": \"x\"}}}");
        assertEquals(dir.resolve("model.safetensors.index.json") + ": weight_map entry 'bert.pooler.dense.weight' is not a file name",
                e.getMessage());
    }
}
