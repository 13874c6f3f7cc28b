/*
 * train --augment on the tiny model: each epoch trains on the rows and N new rows per row drawn for
 * it (the schedule planned for N + 1 times the rows), a run killed in its second epoch resumes
 * bitwise where the uninterrupted one ends, the settings (the lexicon by content) are recorded and
 * checked on --resume; the first epoch trains on exactly what `kanna augment` writes with the same
 * seed; token classification keeps every epoch's example count though new sentences change length.
 */
package dev.kanna.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kanna.augment.AugmentSettings;
import dev.kanna.augment.Augmenter;
import dev.kanna.data.DatasetReader;
import dev.kanna.data.Example;
import dev.kanna.data.TaggedSentence;
import dev.kanna.task.AugmentedData;
import dev.kanna.task.DataOptions;
import dev.kanna.task.SequenceClassification;
import dev.kanna.task.TaskData;
import dev.kanna.task.TokenClassification;
import dev.kanna.tokenizer.BertTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

class AugmentTrainingTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private Path lexicon(String content) throws Exception {
        Path f = tmp.resolve("lexicon.tsv");
        Files.writeString(f, content);
        return f;
    }

    /** 16 rows and 2 new ones each: 48 an epoch, 6 steps of 8; 2 epochs. */
    private static String[] args(Path out, Path lexicon, String... extra) {
        List<String> all = new ArrayList<>(List.of(TinyFixtures.trainArgs(out, "--limit-train", "16", "--augment", "2",
                "--lexicon", lexicon.toString(), "--save-steps", "3")));
        all.addAll(List.of(extra));
        return all.toArray(String[]::new);
    }

    @Test
    void anAugmentedRunKilledInItsSecondEpochResumesBitwise() throws Exception {
        Path lexicon = lexicon("free\tcomplimentary\tgratis\nmoney\tcash\nemail\te-mail\nclick\tpress\n");
        Path whole = tmp.resolve("whole"), killed = tmp.resolve("killed");
        CliRun run = CliRun.run(args(whole, lexicon));
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.err().contains("--augment 2: every epoch trains on the 16 rows and 32 new rows drawn for it; EDA: synonym,"
                + " insert, swap, delete at alpha 0.1; synonyms from the lexicon " + lexicon + " (4 terms)"), run.err());
        
        JsonNode summary = JSON.readTree(run.outLines().getLast());
        assertEquals(12, summary.get("steps").asInt(), "6 steps an epoch: 48 examples in batches of 8");
        JsonNode augment = JSON.readTree(whole.resolve("training_record.json").toFile()).at("/settings/augment");
        assertEquals(2, augment.get("copies").asInt());
        assertEquals(0.1, augment.get("alpha").asDouble());
        assertEquals(64, augment.get("lexicon_sha256").asText().length());

        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                "-Dkanna.faultInjection.haltAfterStep=9", Main.class.getName()));
        command.addAll(List.of(args(killed, lexicon)));
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("killed.log").toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the training process did not stop");
        assertEquals(137, p.exitValue(), Files.readString(tmp.resolve("killed.log")));

        Files.writeString(lexicon, "free\tcomplimentary\n");
        CliRun other = CliRun.run(args(killed, lexicon, "--resume"));
        assertEquals(1, other.exitCode(), other.err());
        assertTrue(other.errLines().getLast().contains("was made with other settings"), other.err());

        Files.writeString(lexicon, "free\tcomplimentary\tgratis\nmoney\tcash\nemail\te-mail\nclick\tpress\n");
        CliRun resumed = CliRun.run(args(killed, lexicon, "--resume"));
        assertEquals(0, resumed.exitCode(), resumed.err());
        assertTrue(resumed.err().contains("resuming from"), resumed.err());
        assertArrayEquals(Files.readAllBytes(whole.resolve("model.safetensors")),
                Files.readAllBytes(killed.resolve("model.safetensors")));
        assertArrayEquals(Files.readAllBytes(whole.resolve("checkpoint-12").resolve("optimizer.safetensors")),
                Files.readAllBytes(killed.resolve("checkpoint-12").resolve("optimizer.safetensors")));
    }

    @Test
    void theFirstEpochTrainsOnWhatAugmentWritesAndLaterEpochsOnNewRows() throws Exception {
        Path lexicon = lexicon("free\tcomplimentary\tgratis\nmoney\tcash\n");
        Path data = tmp.resolve("rows.jsonl");
        Files.write(data, Files.readAllLines(TinyFixtures.train()).subList(0, 10));
        Path written = tmp.resolve("augmented.jsonl");
        CliRun run = CliRun.run("augment", "--data", data.toString(), "--out", written.toString(), "--n", "3",
                "--lexicon", lexicon.toString(), "--seed", "11");
        assertEquals(0, run.exitCode(), run.err());

        SequenceClassification task = new SequenceClassification();
        DataOptions options = DataOptions.defaults(64);
        List<Example> rows = task.read(data, options);
        List<String> labels = task.labels(rows, data);
        BertTokenizer tokenizer = BertTokenizer.load(TinyFixtures.model());
        AugmentSettings settings = new AugmentSettings(3, 0.1, null, lexicon, null, false);
        Augmenter<Example> augmenter = task.augmenter(settings.load(), rows, options);
        var augmented = new AugmentedData<>(task, tokenizer, rows, labels, options, data,
                task.encode(tokenizer, rows, labels, options, data), augmenter, 3, 11);
        List<String> epoch0 = augmented.rowsForEpoch(0).stream().map(Example::text).toList();
        assertEquals(DatasetReader.read(written, DatasetReader.Fields.defaults()).stream().map(Example::text).toList(), epoch0);
        List<String> epoch1 = augmented.rowsForEpoch(1).stream().map(Example::text).toList();
        assertEquals(epoch0.subList(0, 10), epoch1.subList(0, 10), "the rows themselves every epoch");
        assertNotEquals(epoch0.subList(10, 40), epoch1.subList(10, 40), "new rows every epoch");
        assertEquals(epoch1, augmented.rowsForEpoch(1).stream().map(Example::text).toList(), "drawn again: the same");
        assertEquals(40, augmented.forEpoch(1).size());
    }

    @Test
    void tokenClassificationKeepsEachEpochsExampleCount() throws Exception {
        // Long synonyms grow sentences across the window boundary (--max-length 24: 22 pieces a window).
        Path lexicon = lexicon("the\tx\ngene\tdeoxyribonucleic acid sequence region\nprotein\tpolypeptide chain molecule\n"
                + "expression\ttranscriptional activity level\nmutations\tgenetic sequence alterations\n");
        TokenClassification task = new TokenClassification();
        Path data = TaskTrainingTest.data("ner/train.conll");
        DataOptions options = DataOptions.defaults(24);
        List<TaggedSentence> rows = task.read(data, options);
        List<String> labels = task.labels(rows, data);
        BertTokenizer tokenizer = BertTokenizer.load(TinyFixtures.model());
        var encoded = task.encode(tokenizer, rows, labels, options, data);
        var augmented = new AugmentedData<>(task, tokenizer, rows, labels, options, data, encoded,
                task.augmenter(new AugmentSettings(2, 0.7, null, lexicon, null, false).load(), rows, options), 2, 3);
        assertEquals(3 * encoded.size(), augmented.size());
        int grown = 0;
        for (int epoch = 0; epoch < 3; epoch++) {
            TaskData e = augmented.forEpoch(epoch);
            assertEquals(augmented.size(), e.size(), "epoch " + epoch);
            List<TaggedSentence> drawn = augmented.rowsForEpoch(epoch);
            grown += task.encode(tokenizer, drawn, labels, options, data).size() == augmented.size() ? 0 : 1;
        }
        assertTrue(grown > 0, "some epoch drew sentences needing other window counts, left out for their rows");

        Path out = tmp.resolve("ner");
        CliRun run = CliRun.run(TaskTrainingTest.nerArgs(out, "--augment", "1", "--lexicon", lexicon.toString()));
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.err().contains("--augment 1: every epoch trains on the 40 rows and 40 new rows drawn for it;"
                + " mention and synonym replacement: mention, synonym at alpha 0.1"), run.err());
        assertEquals(22, JSON.readTree(run.outLines().getLast()).get("steps").asInt(), "88 windows an epoch: 11 steps of 8, 2 epochs");
    }

    @Test
    void augmentationOptionsAloneOrForTheWrongTaskAreRefused() throws Exception {
        Path lexicon = lexicon("free\tgratis\n");
        assertRefused("--augment-alpha, --augment-ops, --lexicon, --wordnet and --protect apply with --augment N", "--lexicon",
                lexicon.toString());
        assertRefused("--augment-alpha, --augment-ops, --lexicon, --wordnet and --protect apply with --augment N",
                "--augment-alpha", "0.2");
        assertRefused("--augment-alpha must be in (0, 1], got 1.5", "--augment", "1", "--augment-alpha", "1.5");
        assertRefused("--augment-ops: unknown operation 'mix'; expected synonym, insert, swap, delete (text) or mention,"
                + " synonym (token classification), separated by commas", "--augment", "1", "--augment-ops", "mix");
        assertRefused("augmentation: sequence-classification augments with synonym, insert, swap, delete, not mention",
                "--augment", "1", "--augment-ops", "mention");
    }

    @Test
    void theFrozenLayerCacheStepsAsideForAugmentedData() throws Exception {
        CliRun run = CliRun.run(TinyFixtures.trainArgs(tmp.resolve("cached"), "--augment", "1", "--cache-frozen",
                "--max-steps", "1", "--augment-ops", "swap"));
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.err().contains("--cache-frozen does not apply: the inputs change every epoch (--augment); training"
                + " without the cache"), run.err());
    }

    private void assertRefused(String message, String... flags) {
        Path out = tmp.resolve("refused");
        CliRun run = CliRun.run(TinyFixtures.trainArgs(out, flags));
        assertEquals(1, run.exitCode(), run.err());
        assertEquals("kanna train: " + message, run.errLines().getLast());
        assertFalse(Files.exists(out), "nothing written");
    }
}
