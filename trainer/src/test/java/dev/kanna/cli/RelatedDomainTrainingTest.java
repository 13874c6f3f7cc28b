/*
 * `kanna train --aux-train` on the tiny model: related-domain rows mixed into every batch (the epoch
 * still one pass over the 48 target rows, validation on the target only), recorded in the training
 * record, resumed bitwise after a kill; labels outside the target's set refused unless mapped, and
 * every bad map or weight one line with nothing written. Staged transfer: --model a classifier of
 * another label set starts from its encoder with a fresh head, said in one line.
 */
package dev.kanna.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kanna.io.SafetensorsFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

class RelatedDomainTrainingTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /** 20 short related-domain rows, every third spam, with the given labels for ham and spam. */
    private Path auxData(String name, String ham, String spam) throws Exception {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            boolean isSpam = i % 3 == 0;
            sb.append(String.format("{\"text\": \"%s %d\", \"label\": \"%s\"}%n",
                    isSpam ? "WIN cash now, reply" : "see you at lunch,", i, isSpam ? spam : ham));
        }
        return Files.writeString(tmp.resolve(name), sb.toString());
    }

    private static String[] with(String[] base, String... more) {
        String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    @Test
    void auxRowsJoinEveryBatchAndTheTargetDefinesTheEpoch() throws Exception {
        Path aux = auxData("sms.jsonl", "ham", "spam"), out = tmp.resolve("mixed");
        CliRun run = CliRun.run(TinyFixtures.trainArgs(out, "--aux-train", aux.toString(), "--aux-weight", "0.25"));
        assertEquals(0, run.exitCode(), run.err());
        // 48 target rows at a share of 0.25: 16 aux rows an epoch, 64 rows, 8 batches of 8; 2 epochs.
        assertTrue(run.errLines().contains("related-domain data: 20 rows of " + aux + " at 0.25 of every batch; an epoch"
                + " holds the 48 target and 16 aux examples (8 batches)"), run.err());
        JsonNode summary = JSON.readTree(run.lastOutLine());
        assertEquals(16, summary.get("steps").asInt());
        assertEquals(48, summary.get("train_rows").asInt(), "the target rows");
        assertEquals(24, summary.at("/validation/per_class/ham/support").asInt() + summary.at("/validation/per_class/spam/support").asInt(),
                "validated on the 24 target rows only");
        JsonNode record = JSON.readTree(out.resolve("training_record.json").toFile());
        assertEquals(aux.toAbsolutePath().toString(), record.at("/data/aux/path").asText());
        assertEquals(64, record.at("/data/aux/sha256").asText().length());
        assertEquals(0.25, record.at("/settings/aux_weight").asDouble());

        Path plain = tmp.resolve("plain");
        assertEquals(0, CliRun.run(TinyFixtures.trainArgs(plain)).exitCode());
        assertFalse(java.util.Arrays.equals(Files.readAllBytes(plain.resolve("model.safetensors")),
                Files.readAllBytes(out.resolve("model.safetensors"))), "the aux rows were trained on");
    }

    @Test
    void aRunWithAuxDataResumesBitwiseAfterAKill() throws Exception {
        Path aux = auxData("sms.jsonl", "ham", "spam"), whole = tmp.resolve("whole"), killed = tmp.resolve("killed");
        String[] flags = {"--aux-train", aux.toString(), "--save-steps", "4"};   // 0.3: 9 batches an epoch
        assertEquals(0, CliRun.run(TinyFixtures.trainArgs(whole, flags)).exitCode());

        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                "-Dkanna.faultInjection.haltAfterStep=12", Main.class.getName()));
        command.addAll(List.of(TinyFixtures.trainArgs(killed, flags)));
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("killed.log").toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the training process did not stop");
        assertEquals(137, p.exitValue(), Files.readString(tmp.resolve("killed.log")));
        assertTrue(Files.isDirectory(killed.resolve("checkpoint-12")), "killed in epoch 1, batch 3 of 9");

        CliRun other = CliRun.run(with(TinyFixtures.trainArgs(killed, "--aux-train", aux.toString(), "--save-steps", "4",
                "--aux-weight", "0.4"), "--resume"));
        assertEquals(1, other.exitCode(), other.err());
        assertTrue(other.errLines().getLast().contains("was made with other settings"), other.err());

        CliRun resumed = CliRun.run(with(TinyFixtures.trainArgs(killed, flags), "--resume"));
        assertEquals(0, resumed.exitCode(), resumed.err());
        assertTrue(resumed.err().contains("resuming from"), resumed.err());
        assertArrayEquals(Files.readAllBytes(whole.resolve("model.safetensors")),
                Files.readAllBytes(killed.resolve("model.safetensors")));
        assertArrayEquals(Files.readAllBytes(whole.resolve("checkpoint-18").resolve("optimizer.safetensors")),
                Files.readAllBytes(killed.resolve("checkpoint-18").resolve("optimizer.safetensors")));
    }

    @Test
    void labelsOutsideTheTargetSetAreRefusedUnlessMapped() throws Exception {
        Path aux = auxData("sms.jsonl", "ok", "spam"), out = tmp.resolve("run");
        CliRun refused = CliRun.run(TinyFixtures.trainArgs(out, "--aux-train", aux.toString()));
        assertEquals(1, refused.exitCode(), refused.err());
        assertEquals(List.of("kanna train: " + aux + ":2: label \"ok\" is not one of the target labels (ham, spam); map it"
                + " with --aux-label-map FILE (lines of aux label<TAB>target label)"), refused.errLines());
        assertFalse(Files.exists(out), "nothing written");

        Path map = Files.writeString(tmp.resolve("map.tsv"), "# SMS labels → email labels\nok\tham\n");
        CliRun mapped = CliRun.run(TinyFixtures.trainArgs(out, "--aux-train", aux.toString(), "--aux-label-map", map.toString(),
                "--max-steps", "2"));
        assertEquals(0, mapped.exitCode(), mapped.err());
        JsonNode record = JSON.readTree(out.resolve("training_record.json").toFile());
        assertEquals(map.toAbsolutePath().toString(), record.at("/data/aux_label_map/path").asText());
        assertEquals(List.of("ham", "spam"), JSON.convertValue(record.get("labels"), List.class));

        // The same run with the map's labels as the aux data's own: bitwise the same model.
        Path same = tmp.resolve("same");
        assertEquals(0, CliRun.run(TinyFixtures.trainArgs(same, "--aux-train", auxData("named.jsonl", "ham", "spam").toString(),
                "--max-steps", "2")).exitCode());
        assertArrayEquals(Files.readAllBytes(same.resolve("model.safetensors")), Files.readAllBytes(out.resolve("model.safetensors")));
    }

    @Test
    void badMapsAndWeightsFailInOneLineWithNothingWritten() throws Exception {
        Path aux = auxData("sms.jsonl", "ok", "spam"), out = tmp.resolve("run");
        String[][] cases = {
                {"ok ham\n", ":1: expected an aux label and a target label separated by one tab, got \"ok ham\""},
                {"ok\tham\tx\n", ":1: expected an aux label and a target label separated by one tab, got \"ok\tham\tx\""},
                {"# only a comment\n", ": no mappings (expected aux label<TAB>target label lines)"},
                {"ok\tham\nspam\tspam\nok\tspam\n", ":3: aux label \"ok\" is mapped twice (first on line 1)"},
                {"ok\tfine\n", ":1: maps \"ok\" to \"fine\", which is not one of the target labels (ham, spam)"},
        };
        for (String[] c : cases) {
            Path map = Files.writeString(tmp.resolve("map.tsv"), c[0]);
            CliRun run = CliRun.run(TinyFixtures.trainArgs(out, "--aux-train", aux.toString(), "--aux-label-map", map.toString()));
            assertEquals(1, run.exitCode(), run.err());
            assertEquals(List.of("kanna train: " + map + c[1]), run.errLines(), c[0]);
            assertFalse(Files.exists(out));
        }
        Path partial = Files.writeString(tmp.resolve("partial.tsv"), "spam\tspam\n");
        CliRun unmapped = CliRun.run(TinyFixtures.trainArgs(out, "--aux-train", aux.toString(), "--aux-label-map", partial.toString()));
        assertEquals(List.of("kanna train: " + aux + ":2: label \"ok\" is not one of the target labels (ham, spam) and "
                + partial + " does not map it"), unmapped.errLines());

        for (String[] c : new String[][]{{"--aux-weight", "1", "--aux-weight must be in (0, 1), got 1.0"},
                {"--aux-weight", "0", "--aux-weight must be in (0, 1), got 0.0"}}) {
            CliRun run = CliRun.run(TinyFixtures.trainArgs(out, "--aux-train", aux.toString(), c[0], c[1]));
            assertEquals(List.of("kanna train: " + c[2]), run.errLines());
        }
        CliRun noAux = CliRun.run(TinyFixtures.trainArgs(out, "--aux-weight", "0.3"));
        assertEquals(List.of("kanna train: --aux-weight needs --aux-train FILE"), noAux.errLines());
        CliRun regression = CliRun.run("train", "--task", "regression", "--model", TinyFixtures.model().toString(),
                "--train", TinyFixtures.root().resolve("regression/train.jsonl").toString(), "--out", out.toString(),
                "--aux-train", TinyFixtures.root().resolve("regression/validation.jsonl").toString(),
                "--aux-label-map", partial.toString(), "--max-length", "64", "--device", "cpu");
        assertEquals(List.of("kanna train: --aux-label-map: regression has no label names to map"), regression.errLines());
        assertFalse(Files.exists(out));
    }

    /** A copy of the tiny training data with every row relabelled a, b or c. */
    private Path threeLabels() throws Exception {
        StringBuilder sb = new StringBuilder();
        int i = 0;
        for (String line : Files.readAllLines(TinyFixtures.train())) {
            var row = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(line);
            row.put("label", List.of("a", "b", "c").get(i++ % 3));
            sb.append(JSON.writeValueAsString(row)).append('\n');
        }
        return Files.writeString(tmp.resolve("abc.jsonl"), sb.toString());
    }

    private static byte[] tensor(Path dir, String name) throws Exception {
        try (SafetensorsFile f = SafetensorsFile.open(dir.resolve("model.safetensors"))) {
            return f.bytes(name);
        }
    }

    @Test
    void aClassifierOfAnotherLabelSetStartsFromItsEncoderWithAFreshHead() throws Exception {
        Path trained = TinyFixtures.root().resolve("trained"), abc = threeLabels();
        // Only layer 1's output bias trains, so the head and the rest leave the run as they came in.
        String[] run = {"--train", abc.toString(), "--max-steps", "1", "--batch-size", "8", "--max-length", "64",
                "--unfreeze-pattern", "encoder\\.layer\\.1\\.output\\.dense\\.bias", "--device", "cpu", "--threads", "2"};
        Path staged = tmp.resolve("staged"), fresh = tmp.resolve("fresh");
        CliRun stagedRun = CliRun.run(with(new String[]{"train", "--model", trained.toString(), "--out", staged.toString()}, run));
        assertEquals(0, stagedRun.exitCode(), stagedRun.err());
        assertEquals(1, stagedRun.errLines().stream().filter(l -> l.contains("fresh head")).count(), stagedRun.err());
        assertTrue(stagedRun.errLines().contains(trained + " was trained as BertForSequenceClassification for labels"
                + " [ham, spam]; its encoder starts this sequence-classification model, with a fresh head"), stagedRun.err());
        assertEquals(0, CliRun.run(with(new String[]{"train", "--model", TinyFixtures.model().toString(), "--out", fresh.toString()}, run)).exitCode());

        // The head: a fresh one for a, b, c, the very one a run from the base model starts with (same seed).
        assertArrayEquals(tensor(fresh, "classifier.weight"), tensor(staged, "classifier.weight"));
        assertEquals(3 * 32 * 4, tensor(staged, "classifier.weight").length, "(3, 32) float32");
        // The encoder and pooler: the fine-tuned classifier's, not the base model's.
        for (String name : List.of("bert.encoder.layer.1.attention.self.query.weight", "bert.pooler.dense.weight")) {
            assertArrayEquals(tensor(trained, name), tensor(staged, name), name);
        }
        assertFalse(java.util.Arrays.equals(tensor(fresh, "bert.encoder.layer.1.attention.self.query.weight"),
                tensor(staged, "bert.encoder.layer.1.attention.self.query.weight")), "tiny/trained trained its layer 1");
        assertEquals(List.of("a", "b", "c"), List.of(JSON.readTree(staged.resolve("config.json").toFile()).at("/id2label/0").asText(),
                JSON.readTree(staged.resolve("config.json").toFile()).at("/id2label/1").asText(),
                JSON.readTree(staged.resolve("config.json").toFile()).at("/id2label/2").asText()));

        // The same labels: training goes on with its own head, and nothing is said.
        Path same = tmp.resolve("same");
        run[1] = TinyFixtures.train().toString();
        CliRun sameRun = CliRun.run(with(new String[]{"train", "--model", trained.toString(), "--out", same.toString()}, run));
        assertEquals(0, sameRun.exitCode(), sameRun.err());
        assertFalse(sameRun.err().contains("fresh head"), sameRun.err());
        assertArrayEquals(tensor(trained, "classifier.weight"), tensor(same, "classifier.weight"));
    }
}
