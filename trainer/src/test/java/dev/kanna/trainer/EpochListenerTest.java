/*
 * The Trainer's epoch hook on the tiny model: the listener hears each epoch's end with the latest
 * validation figures; STOP ends the run there as early stopping does (recorded, best weights kept);
 * a run that shares its work tokenizes once and, under --cache-frozen, caches the frozen layers once.
 */
package dev.kanna.trainer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class EpochListenerTest {
    @TempDir
    Path tmp;

    private static Path tiny() throws URISyntaxException {
        return Path.of(EpochListenerTest.class.getResource("/tiny/model/config.json").toURI()).getParent().getParent();
    }

    private static TrainOptions options(Path out, boolean cacheFrozen) throws URISyntaxException {
        Path tiny = tiny();
        return TrainOptions.builder(tiny.resolve("model"), tiny.resolve("train.jsonl"), out)
                .validation(tiny.resolve("validation.jsonl")).epochs(3).batchSize(8).lr(1e-3).maxLength(64)
                .unfreezeTop(1).device("cpu").threads(2).cacheFrozen(cacheFrozen).build();
    }

    @Test
    void theListenerHearsEachEpochAndCanStopTheRun() throws Exception {
        List<EpochListener.EpochEnd> heard = new ArrayList<>();
        Trainer.Result r = new Trainer(options(tmp.resolve("run"), false), List.of(), line -> { })
                .listen(end -> {
                    heard.add(end);
                    return end.epochs() == 2 ? EpochListener.Decision.STOP : EpochListener.Decision.CONTINUE;
                }).run();
        assertEquals(List.of(1, 2), heard.stream().map(EpochListener.EpochEnd::epochs).toList());
        assertEquals(List.of(6L, 12L), heard.stream().map(EpochListener.EpochEnd::step).toList(), "48 rows / 8 = 6 steps an epoch");
        assertEquals(r.state().evalLogs.get(1).metrics(), heard.get(1).validation());
        assertEquals(12, r.state().globalStep, "stopped after epoch 2 of 3");
        assertTrue(r.state().stoppedEarly);
        assertNotNull(r.validation());
    }

    @Test
    void sharedWorkTokenizesOnceAndCachesTheFrozenLayersOnce() throws Exception {
        SharedWork shared = new SharedWork();
        List<String> log = new ArrayList<>();
        new Trainer(options(tmp.resolve("a"), true), List.of(), log::add).share(shared).run();
        Trainer.Result second = new Trainer(options(tmp.resolve("b"), true), List.of(), log::add).share(shared).run();
        Trainer.Result alone = new Trainer(options(tmp.resolve("c"), true), List.of(), line -> { }).run();
        assertEquals(1, log.stream().filter(l -> l.startsWith("tokenized 48 training")).count(), String.join("\n", log));
        assertEquals(1, log.stream().filter(l -> l.startsWith("reusing the tokenized data")).count());
        assertEquals(1, log.stream().filter(l -> l.startsWith("--cache-frozen: caching")).count());
        assertEquals(1, log.stream().filter(l -> l.startsWith("--cache-frozen: reusing the cache")).count());
        assertEquals(1, shared.frozenCaches());
        // What is shared is what a run computes alone: the same weights and figures, bitwise.
        byte[] weights = java.nio.file.Files.readAllBytes(tmp.resolve("c/model.safetensors"));
        assertArrayEquals(weights, java.nio.file.Files.readAllBytes(tmp.resolve("a/model.safetensors")));
        assertArrayEquals(weights, java.nio.file.Files.readAllBytes(tmp.resolve("b/model.safetensors")));
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        assertEquals(json.writeValueAsString(alone.validation()), json.writeValueAsString(second.validation()));
    }
}
