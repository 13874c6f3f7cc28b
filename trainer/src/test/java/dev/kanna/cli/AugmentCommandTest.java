/*
 * `kanna augment` end to end: each format written back with every other field kept, the original
 * rows first, each new row marked with its source; the same seed gives the same file; what it
 * writes reads back through the trainer's readers; bad input is one line with nothing written.
 */
package dev.kanna.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kanna.data.DatasetReader;
import dev.kanna.data.Example;
import dev.kanna.data.TagFields;
import dev.kanna.data.TaggedDatasetReader;
import dev.kanna.data.TaggedSentence;
import dev.kanna.metrics.Entities;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class AugmentCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private Path write(String name, String content) throws IOException {
        Path f = tmp.resolve(name);
        Files.writeString(f, content);
        return f;
    }

    private Path lexicon() throws IOException {
        return write("lexicon.tsv", "cheap\tinexpensive\tlow-cost\nmeeting\tgathering\nreport\taccount\tsummary\n"
                + "heart attack\tmyocardial infarction\n");
    }

    private static CliRun augment(String... args) {
        List<String> all = new ArrayList<>(List.of("augment"));
        all.addAll(List.of(args));
        return CliRun.run(all.toArray(String[]::new));
    }

    @Test
    void jsonlKeepsTheRowsFirstAndMarksEachNewRowWithItsSource() throws IOException {
        String rows = """
                {"id": 7, "text": "Cheap meds, no prescription. Order now and save!", "label": "spam", "source": "a"}
                {"id": 8, "text": "The meeting moved to Tuesday; the report is due.", "label": "ham", "source": "b"}

                {"id": 9, "text": "He had a heart attack last year.", "label": "ham", "source": "c"}
                """;
        Path data = write("d.jsonl", rows);
        Path out = tmp.resolve("o.jsonl");
        CliRun run = augment("--data", data.toString(), "--out", out.toString(), "--n", "3", "--lexicon",
                lexicon().toString(), "--seed", "5");
        assertEquals(0, run.exitCode(), run.err());
        List<String> lines = Files.readAllLines(out);
        List<String> originals = rows.lines().filter(l -> !l.isBlank()).toList();
        assertEquals(originals, lines.subList(0, 3), "the rows first, verbatim");
        assertEquals(3 + 9, lines.size());
        for (int j = 0; j < 9; j++) {
            JsonNode row = JSON.readTree(lines.get(3 + j)), source = JSON.readTree(originals.get(j / 3));
            assertEquals(j / 3, row.get("augmented_from").asInt());
            for (String field : List.of("id", "label", "source")) assertEquals(source.get(field), row.get(field), field);
        }
        JsonNode summary = JSON.readTree(run.outLines().getLast());
        assertEquals(3, summary.get("rows").asInt());
        assertEquals(9, summary.get("added").asInt());
        assertTrue(summary.get("augmenter").asText().startsWith("EDA: synonym, insert, swap, delete at alpha 0.1; synonyms"
                + " from the lexicon"), summary.toString());
        List<Example> read = DatasetReader.read(out, DatasetReader.Fields.defaults());
        assertEquals(12, read.size(), "the trainer reads it");

        Path again = tmp.resolve("again.jsonl"), other = tmp.resolve("other.jsonl");
        assertEquals(0, augment("--data", data.toString(), "--out", again.toString(), "--n", "3", "--lexicon",
                lexicon().toString(), "--seed", "5").exitCode());
        assertEquals(0, augment("--data", data.toString(), "--out", other.toString(), "--n", "3", "--lexicon",
                lexicon().toString(), "--seed", "6").exitCode());
        assertEquals(Files.readString(out), Files.readString(again), "the same seed, the same rows");
        assertNotEquals(Files.readString(out), Files.readString(other));
    }

    @Test
    void csvGainsTheMarkColumnAndQuotesWhatNeedsIt() throws IOException {
        Path data = write("d.csv", "text,label,note\n\"He said \"\"cheap\"\", then left.\nOK\",spam,x\nreport due today,ham,\"y, z\"\n");
        Path out = tmp.resolve("o.csv");
        CliRun run = augment("--data", data.toString(), "--out", out.toString(), "--n", "2", "--lexicon",
                lexicon().toString(), "--ops", "synonym");
        assertEquals(0, run.exitCode(), run.err());
        String written = Files.readString(out);
        assertTrue(written.startsWith("text,label,note,augmented_from\n\"He said \"\"cheap\"\", then left.\nOK\",spam,x,\n"
                + "report due today,ham,\"y, z\",\n"), written);
        List<Example> rows = DatasetReader.read(out, DatasetReader.Fields.defaults());
        assertEquals(List.of("spam", "ham", "spam", "spam", "ham", "ham"), rows.stream().map(Example::label).toList());
        // one distinct word with synonyms in each text: every new row has it replaced
        assertTrue(rows.get(2).text().startsWith("He said \"inexpensive\"") || rows.get(2).text().startsWith("He said \"low-cost\""),
                rows.get(2).text());
        assertTrue(rows.get(4).text().matches("(account|summary) due today"), rows.get(4).text());
        assertTrue(written.endsWith(" due today,ham,\"y, z\",1\n"), written);
    }

    @Test
    void conllSentencesFollowTheOriginalsWithTheirEntityTypes() throws IOException {
        Path data = TaskTrainingTest.data("ner/train.conll");
        Path out = tmp.resolve("o.conll.gz");
        CliRun run = augment("--task", "token-classification", "--data", data.toString(), "--out", out.toString(),
                "--n", "2", "--alpha", "0.5", "--lexicon", write("lex.tsv", "expression\tgene expression\nfound\tdiscovered\n").toString());
        assertEquals(0, run.exitCode(), run.err());
        List<TaggedSentence> before = TaggedDatasetReader.read(data, TagFields.defaults());
        List<TaggedSentence> after = TaggedDatasetReader.read(out, TagFields.defaults());
        assertEquals(before.size() * 3, after.size());
        assertEquals(before, after.subList(0, before.size()), "the sentences first, as they were");
        int changed = 0;
        for (int j = 0; j < 2 * before.size(); j++) {
            TaggedSentence source = before.get(j / 2), made = after.get(before.size() + j);
            assertEquals(Entities.of(source.tags()).stream().map(Entities.Span::type).toList(),
                    Entities.of(made.tags()).stream().map(Entities.Span::type).toList());
            if (!made.words().equals(source.words())) changed++;
        }
        assertTrue(changed > before.size() / 2, changed + " new sentences differ from their source");
        assertTrue(run.err().contains("mention and synonym replacement: mention, synonym at alpha 0.5"), run.err());

        Path jsonOut = tmp.resolve("o.jsonl");
        assertEquals(0, augment("--task", "token-classification", "--data", TaskTrainingTest.data("ner/train.jsonl").toString(),
                "--out", jsonOut.toString(), "--n", "1", "--alpha", "0.5").exitCode());
        List<String> lines = Files.readAllLines(jsonOut);
        JsonNode last = JSON.readTree(lines.getLast());
        assertEquals(lines.size() / 2 - 1, last.get("augmented_from").asInt());
        assertEquals(last.get("tokens").size(), last.get("tags").size());
    }

    @Test
    void badInputIsOneLineAndNothingIsWritten() throws IOException {
        Path data = write("d.jsonl", "{\"text\": \"cheap meds\", \"label\": \"spam\"}\n");
        Path out = tmp.resolve("o.jsonl");
        Path badLexicon = write("bad.tsv", "cheap\tinexpensive\nlonely\n");
        assertRefused(badLexicon + ":2: expected a term and at least one synonym separated by tabs, found one column",
                "--data", data.toString(), "--out", out.toString(), "--lexicon", badLexicon.toString());
        assertRefused("augmentation: sequence-classification augments with synonym, insert, swap, delete, not mention",
                "--data", data.toString(), "--out", out.toString(), "--ops", "swap,mention");
        assertRefused("augmentation: synonym needs synonyms: give --lexicon FILE and/or --wordnet, or leave synonym out of"
                + " the operations", "--data", data.toString(), "--out", out.toString(), "--ops", "synonym,swap");
        assertRefused("--ops: unknown operation 'shuffle'; expected synonym, insert, swap, delete (text) or mention, synonym"
                + " (token classification), separated by commas", "--data", data.toString(), "--out", out.toString(),
                "--ops", "swap,shuffle");
        assertRefused("--alpha must be in (0, 1], got 0.0", "--data", data.toString(), "--out", out.toString(), "--alpha", "0");
        assertRefused("--n must be ≥ 1, got 0", "--data", data.toString(), "--out", out.toString(), "--n", "0");
        assertRefused("--out " + tmp.resolve("o.csv") + ": augment writes the format it reads (JSONL), not CSV",
                "--data", data.toString(), "--out", tmp.resolve("o.csv").toString());
        Path protect = write("protect.txt", "meds\tpills\n");
        assertRefused(protect + ":1: expected one term per line, found a tab",
                "--data", data.toString(), "--out", out.toString(), "--protect", protect.toString());
        Path existing = write("exists.jsonl", "keep me\n");
        CliRun run = augment("--data", data.toString(), "--out", existing.toString());
        assertEquals(List.of("kanna augment: " + existing + " already exists (use --overwrite to replace it)"), run.errLines());
        assertEquals("keep me\n", Files.readString(existing));
    }

    private void assertRefused(String message, String... args) {
        CliRun run = augment(args);
        assertEquals(1, run.exitCode(), run.err());
        assertEquals(List.of("kanna augment: " + message), run.errLines());
        try (var files = Files.list(tmp)) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().startsWith("o.")), "nothing written");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
