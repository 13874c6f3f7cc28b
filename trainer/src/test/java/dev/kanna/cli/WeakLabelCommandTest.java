/*
 * `kanna weak-label` on seven texts and six rules, every outcome worked out by hand: a majority, a
 * tie left out, a majority over a conflict, an ABSTAIN rule at the top silencing all, one in the
 * middle silencing only the rules below it, and a text no rule fires on; the report's counts and
 * per-rule accuracy on a five-row labelled sample; bad rule files and an existing OUT fail in one
 * line with nothing written.
 */
package dev.kanna.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class WeakLabelCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private static final String RULES = String.join("\n",
            "# an expert's spam rules",                 // 1
            "ABSTAIN\t(?i)newsletter",                   // 2: silences every rule
            "spam\t(?i)\\bfree\\b",                      // 3
            "spam\t(?i)cash",                            // 4
            "ABSTAIN\t(?i)unsubscribe",                  // 5: silences the ham rules below it only
            "ham\t(?i)meeting",                          // 6
            "ham\t(?i)agenda") + "\n";                   // 7

    private static final String TEXTS = String.join("\n",
            "free cash now",                  // 1: spam 2–0 (rules 3, 4)
            "meeting agenda attached",        // 2: ham 2–0 (rules 6, 7)
            "free lunch at the meeting",      // 3: spam 1, ham 1: a tie, left out (a conflict)
            "free cash before the meeting",   // 4: spam 2–1 (a conflict)
            "newsletter: free cash",          // 5: rule 2 silences 3 and 4: left out
            "hello there",                    // 6: no rule fires
            "unsubscribe: free meeting") + "\n";   // 7: spam by rule 3; rule 5 silences rule 6

    private static final String SAMPLE = String.join("\n",
            "{\"text\": \"free cash\", \"label\": \"spam\"}",            // 3 ✓ 4 ✓; weak spam ✓
            "{\"text\": \"free agenda review\", \"label\": \"ham\"}",    // 3 ✗ 7 ✓; tie
            "{\"text\": \"meeting notes\", \"label\": \"ham\"}",         // 6 ✓; weak ham ✓
            "{\"text\": \"cash meeting\", \"label\": \"ham\"}",          // 4 ✗ 6 ✓; tie
            "{\"text\": \"free stuff\", \"label\": \"ham\"}") + "\n";    // 3 ✗; weak spam ✗

    private CliRun run(Path rules, Path out, String... extra) throws Exception {
        Path data = Files.writeString(tmp.resolve("texts.txt"), TEXTS);
        List<String> args = new java.util.ArrayList<>(List.of("weak-label", "--rules", rules.toString(), "--data",
                data.toString(), "--out", out.toString()));
        args.addAll(List.of(extra));
        return CliRun.run(args.toArray(String[]::new));
    }

    @Test
    void majorityTiesAbstainAndTheReport() throws Exception {
        Path rules = Files.writeString(tmp.resolve("rules.tsv"), RULES), out = tmp.resolve("weak.jsonl");
        Path sample = Files.writeString(tmp.resolve("sample.jsonl"), SAMPLE);
        CliRun run = run(rules, out, "--sample", sample.toString());
        assertEquals(0, run.exitCode(), run.err());

        List<JsonNode> rows = new java.util.ArrayList<>();
        for (String line : Files.readAllLines(out)) rows.add(JSON.readTree(line));
        assertEquals(List.of("free cash now", "meeting agenda attached", "free cash before the meeting", "unsubscribe: free meeting"),
                rows.stream().map(r -> r.get("text").asText()).toList());
        assertEquals(List.of("spam", "ham", "spam", "spam"), rows.stream().map(r -> r.get("label").asText()).toList());
        assertEquals(List.of(1, 2, 4, 7), rows.stream().map(r -> r.get("line").asInt()).toList());
        assertEquals(List.of("[3,4]", "[6,7]", "[3,4]", "[3]"), rows.stream().map(r -> r.get("rules").toString()).toList(),
                "the rules that voted for the label");

        JsonNode report = JSON.readTree(run.lastOutLine());
        assertEquals(7, report.get("rows").asInt());
        assertEquals(4, report.get("labelled").asInt());
        assertEquals(4.0 / 7, report.get("coverage").asDouble(), 1e-12);
        assertEquals("{\"ham\":1,\"spam\":3}", report.get("by_label").toString());
        assertEquals(1, report.get("none_fired").asInt());
        assertEquals(1, report.get("abstained").asInt());
        assertEquals(1, report.get("ties").asInt());
        assertEquals(2, report.get("conflicts").asInt(), "texts 3 and 4");
        assertEquals(2.0 / 7, report.get("conflict_rate").asDouble(), 1e-12);

        // Per rule (lines 2..7): fires, votes, conflicts; on the sample: fires and accuracy.
        int[][] counts = {{1, 0, 0, 0}, {5, 4, 2, 3}, {3, 2, 1, 2}, {1, 0, 0, 0}, {4, 3, 2, 2}, {1, 1, 0, 1}};
        Double[] accuracy = {null, 1.0 / 3, 1.0 / 2, null, 1.0, 1.0};
        JsonNode perRule = report.get("rules");
        assertEquals(6, perRule.size());
        for (int i = 0; i < 6; i++) {
            JsonNode r = perRule.get(i);
            String at = "rule on line " + (i + 2);
            assertEquals(i + 2, r.get("line").asInt());
            assertEquals(counts[i][0], r.get("fires").asInt(), at);
            assertEquals(counts[i][1], r.get("votes").asInt(), at);
            assertEquals(counts[i][2], r.get("conflicts").asInt(), at);
            assertEquals(counts[i][3], r.get("sample_fires").asInt(), at);
            if (accuracy[i] == null) assertTrue(r.get("sample_accuracy").isNull(), at);
            else assertEquals(accuracy[i], r.get("sample_accuracy").asDouble(), 1e-12, at);
        }
        assertEquals(5, report.at("/sample/rows").asInt());
        assertEquals(3, report.at("/sample/labelled").asInt());
        assertEquals(2.0 / 3, report.at("/sample/accuracy").asDouble(), 1e-12);

        assertTrue(run.errLines().contains("labelled 4 of 7 texts (coverage 57.1%): ham 1, spam 3"), run.err());
        assertTrue(run.errLines().contains("left out: 1 no rule fired, 1 silenced by ABSTAIN, 1 ties; rules disagree on 2 texts"
                + " (conflict rate 28.6%)"), run.err());
        assertTrue(run.errLines().contains("on the sample: 3 of 5 rows labelled (coverage 60.0%), accuracy 0.667"), run.err());

        // The output trains as it is: text and label fields.
        Path model = tmp.resolve("model");
        CliRun train = CliRun.run("train", "--model", TinyFixtures.model().toString(), "--train", out.toString(),
                "--out", model.toString(), "--max-steps", "1", "--max-length", "32", "--device", "cpu", "--threads", "2");
        assertEquals(0, train.exitCode(), train.err());
    }

    @Test
    void badRulesAndAnExistingOutFailInOneLine() throws Exception {
        Path out = tmp.resolve("weak.jsonl");
        String[][] cases = {
                {"spam\t(?i)free\nham (?i)meeting\n", ":2: expected label<TAB>regex, got \"ham (?i)meeting\""},
                {"spam\t\n", ":1: expected label<TAB>regex, got \"spam\t\""},
                {"\t(?i)free\n", ":1: expected label<TAB>regex, got \"\t(?i)free\""},
                {"# x\nspam\t(free\n", ":2: the regex does not compile: Unclosed group at index 5 in \"(free\""},
                {"ABSTAIN\tnewsletter\n", ": no rule gives a label (expected label<TAB>regex lines)"},
        };
        for (String[] c : cases) {
            Path rules = Files.writeString(tmp.resolve("rules.tsv"), c[0]);
            CliRun run = run(rules, out);
            assertEquals(1, run.exitCode(), run.err());
            assertEquals(List.of("kanna weak-label: " + rules + c[1]), run.errLines(), c[0]);
            assertFalse(Files.exists(out), "nothing written");
        }
        Path rules = Files.writeString(tmp.resolve("rules.tsv"), RULES);
        Files.writeString(out, "keep me\n");
        CliRun exists = run(rules, out);
        assertEquals(List.of("kanna weak-label: " + out + " already exists (use --overwrite to replace it)"), exists.errLines());
        assertEquals("keep me\n", Files.readString(out));
        assertEquals(0, run(rules, out, "--overwrite").exitCode());
        assertEquals(4, Files.readAllLines(out).size());
    }
}
