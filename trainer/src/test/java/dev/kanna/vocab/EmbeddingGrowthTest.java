package dev.kanna.vocab;

import dev.kanna.io.SafetensorsDtype;
import dev.kanna.io.SafetensorsFile;
import dev.kanna.io.SafetensorsWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** New rows are the mean of the pieces' rows; old rows, other tensors and metadata stay as they were. */
class EmbeddingGrowthTest {
    @TempDir
    Path tmp;

    @Test
    void growsEmbeddingsAndHeadInTheirOwnDtypes() throws IOException {
        Path model = Files.createDirectories(tmp.resolve("model"));
        float[] emb = {1, 2, 3, 4, 5, 6, 7, 8};            // 4 ids × 2
        float[] bias = {0.5f, -1, 2, 4};
        float[] other = {9, 8, 7};
        new SafetensorsWriter().metadata(Map.of("format", "pt"))
                .addBF16("bert.embeddings.word_embeddings.weight", emb, 4, 2)
                .addF32("cls.predictions.bias", bias, 4)
                .addF16("bert.embeddings.LayerNorm.weight", other, 3)
                .write(model.resolve("model.safetensors"));
        Path out = Files.createDirectories(tmp.resolve("out"));
        EmbeddingGrowth.Grown grown = EmbeddingGrowth.write(model, 4, new int[][]{{1, 2}, {0, 3, 3}}, out);
        assertEquals(List.of("bert.embeddings.word_embeddings.weight", "cls.predictions.bias"), grown.all());

        try (SafetensorsFile before = SafetensorsFile.open(model.resolve("model.safetensors"));
             SafetensorsFile after = SafetensorsFile.open(out.resolve("model.safetensors"))) {
            assertEquals(Map.of("format", "pt"), after.metadata());
            assertEquals(SafetensorsDtype.BF16, after.info("bert.embeddings.word_embeddings.weight").dtype());
            assertArrayEquals(new long[]{6, 2}, after.info("bert.embeddings.word_embeddings.weight").shape());
            assertArrayEquals(new float[]{1, 2, 3, 4, 5, 6, 7, 8, 4, 5, 5, 6}, after.floats("bert.embeddings.word_embeddings.weight"));
            assertArrayEquals(new float[]{0.5f, -1, 2, 4, 0.5f, 8.5f / 3}, after.floats("cls.predictions.bias"), 1e-7f);
            assertArrayEquals(before.bytes("bert.embeddings.LayerNorm.weight"), after.bytes("bert.embeddings.LayerNorm.weight"));
        }
    }

    @Test
    void embeddingsWithTheWrongNumberOfRowsAreRefused() throws IOException {
        Path model = Files.createDirectories(tmp.resolve("model"));
        new SafetensorsWriter().addF32("embeddings.word_embeddings.weight", new float[6], 3, 2)
                .write(model.resolve("model.safetensors"));
        var e = assertThrows(VocabularyException.class, () -> EmbeddingGrowth.inspect(model, 4));
        assertEquals(model.resolve("model.safetensors") + ": tensor embeddings.word_embeddings.weight has shape [3, 2],"
                + " expected 4 rows (the vocabulary's size)", e.getMessage());
    }

    @Test
    void aShardedCheckpointIsNamed() throws IOException {
        Path model = Files.createDirectories(tmp.resolve("model"));
        Files.writeString(model.resolve("model.safetensors.index.json"), "{}");
        assertEquals(model + ": no model.safetensors (a sharded checkpoint: extend-vocab reads a single model.safetensors)",
                assertThrows(VocabularyException.class, () -> EmbeddingGrowth.inspect(model, 4)).getMessage());
    }
}
