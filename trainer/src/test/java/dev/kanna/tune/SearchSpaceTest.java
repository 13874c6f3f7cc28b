/*
 * Space files: a good one changes the default space (replaces ranges, adds a name, drops one with
 * null, "all" layers); every kind of mistake is one line naming the file and the parameter; a
 * setting the command line fixes leaves the space, and a file searching it is refused.
 */
package dev.kanna.tune;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class SearchSpaceTest {
    @TempDir
    Path tmp;

    private Path file(String json) throws IOException {
        Path f = tmp.resolve("space.json");
        Files.writeString(f, json);
        return f;
    }

    @Test
    void theDefaultSpaceIsTheIssues() {
        SearchSpace d = SearchSpace.defaults(6);
        assertEquals(List.of("lr", "batch_size", "epochs", "unfreeze_top", "warmup_ratio", "weight_decay", "dropout", "layer_lr_decay"), d.names());
        assertEquals(new Distribution.FloatRange(1e-5, 5e-4, true), d.get("lr").distribution());
        assertEquals(new Distribution.Choice(List.of(8, 16, 32)), d.get("batch_size").distribution());
        assertEquals(new Distribution.IntRange(1, 5, false), d.get("epochs").distribution());
        assertEquals(new Distribution.IntRange(1, 6, false), d.get("unfreeze_top").distribution());
        assertEquals(new Distribution.FloatRange(0, 0.2, false), d.get("warmup_ratio").distribution());
        assertEquals(new Distribution.FloatRange(0, 0.1, false), d.get("weight_decay").distribution());
        assertEquals(new Distribution.Choice(List.of(true, false)), d.get("dropout").distribution());
    }

    @Test
    void aFileChangesAddsAndDropsRanges() throws IOException {
        SearchSpace s = SearchSpace.read(file("""
                {"lr": {"type": "float", "low": 1e-4, "high": 1e-2, "log": true},
                 "unfreeze_top": {"type": "int", "low": 2, "high": "all"},
                 "epochs": {"type": "categorical", "choices": [2, 3]},
                 "label_smoothing": {"type": "float", "low": 0, "high": 0.2},
                 "warmup_ratio": null}"""), 6);
        assertEquals(List.of("lr", "batch_size", "epochs", "unfreeze_top", "weight_decay", "dropout", "layer_lr_decay", "label_smoothing"), s.names());
        assertEquals(new Distribution.FloatRange(1e-4, 1e-2, true), s.get("lr").distribution());
        assertEquals(new Distribution.IntRange(2, 6, false), s.get("unfreeze_top").distribution());
        assertEquals(new Distribution.Choice(List.of(2, 3)), s.get("epochs").distribution());
    }

    @Test
    void eachMistakeIsOneLineNamingFileAndParameter() throws IOException {
        String f = tmp.resolve("space.json").toString();
        Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put("{\"learning_rate\": {\"type\": \"float\", \"low\": 1, \"high\": 2}}", f + ": unknown parameter 'learning_rate' (expected lr, batch_size,");
        cases.put("{\"lr\": {\"type\": \"float\", \"low\": 1e-3, \"high\": 1e-4}}", f + ": lr: empty range: low 0.001 > high 1.0E-4");
        cases.put("{\"epochs\": {\"type\": \"int\", \"low\": 4, \"high\": 2}}", f + ": epochs: empty range: low 4 > high 2");
        cases.put("{\"batch_size\": {\"type\": \"float\", \"low\": 8, \"high\": 32}}", f + ": batch_size: expected type int or categorical (whole numbers), got float");
        cases.put("{\"lr\": {\"type\": \"int\", \"low\": 1, \"high\": 2}}", f + ": lr: expected type float, int or categorical, got int".replace("float, int or categorical", "float, int or categorical"));
        cases.put("{\"dropout\": {\"type\": \"int\", \"low\": 0, \"high\": 1}}", f + ": dropout: expected type categorical with choices true and false, got int");
        cases.put("{\"dropout\": {\"type\": \"categorical\", \"choices\": [0, 1]}}", f + ": dropout: choices must be true or false, got 0");
        cases.put("{\"lr\": {\"type\": \"gaussian\"}}", f + ": lr: type must be float, int or categorical, got 'gaussian'");
        cases.put("{\"lr\": {\"low\": 1e-5, \"high\": 1e-4}}", f + ": lr: needs \"type\": \"float\", \"int\" or \"categorical\"");
        cases.put("{\"lr\": {\"type\": \"float\", \"low\": \"small\", \"high\": 1e-4}}", f + ": lr: \"low\" must be a number, got \"small\"");
        cases.put("{\"lr\": {\"type\": \"float\", \"high\": 1e-4}}", f + ": lr: needs \"low\"");
        cases.put("{\"lr\": {\"type\": \"float\", \"low\": 0, \"high\": 1e-4, \"log\": true}}", f + ": lr: a log range needs low > 0, got 0");
        cases.put("{\"lr\": {\"type\": \"float\", \"low\": 1e-5, \"high\": 1e-4, \"lg\": true}}", f + ": lr: unknown field 'lg' (expected type, low, high, log, choices)");
        cases.put("{\"lr\": {\"type\": \"categorical\", \"choices\": []}}", f + ": lr: categorical needs a non-empty \"choices\" array");
        cases.put("{\"lr\": {\"type\": \"float\", \"low\": 1e-5, \"high\": 1e-4, \"choices\": [1]}}", f + ": lr: 'choices' does not apply to type float");
        cases.put("{\"warmup_ratio\": {\"type\": \"float\", \"low\": 0, \"high\": 1.5}}", f + ": warmup_ratio: value 1.5 is out of bounds (warmup_ratio must be in [0, 1])");
        cases.put("{\"unfreeze_top\": {\"type\": \"int\", \"low\": 1, \"high\": 9}}", f + ": unfreeze_top: value 9 is out of bounds (unfreeze_top must be in [0, 6, the model's layers])");
        cases.put("{\"batch_size\": {\"type\": \"categorical\", \"choices\": [8, 16.5]}}", f + ": batch_size: choices must be whole numbers, got 16.5");
        cases.put("{\"batch_size\": {\"type\": \"categorical\", \"choices\": [8, 8]}}", f + ": batch_size: choice 8 appears twice");
        cases.put("{\"lr\": 0.001}", f + ": lr: expected an object like {\"type\": \"float\", \"low\": ..., \"high\": ...}");
        cases.put("[1, 2]", f + ": expected a JSON object of parameter name → range");
        cases.put("{\"lr\": {\"type\": \"float\",", f + ": not valid JSON (");
        for (var c : cases.entrySet()) {
            Path file = file(c.getKey());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SearchSpace.read(file, 6), c.getKey());
            assertTrue(e.getMessage().startsWith(c.getValue()), c.getKey() + " → " + e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
    }

    @Test
    void settingsTheCommandLineFixesAreNotSearched() throws IOException {
        SearchSpace s = SearchSpace.of(null, 6, Map.of("lr", "--lr", "dropout", "--no-dropout"));
        assertFalse(s.names().contains("lr"));
        assertFalse(s.names().contains("dropout"));
        assertTrue(s.names().contains("batch_size"));
        Path f = file("{\"lr\": {\"type\": \"float\", \"low\": 1e-5, \"high\": 1e-4, \"log\": true}}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SearchSpace.of(f, 6, Map.of("lr", "--lr")));
        assertEquals(f + ": lr is searched here, but --lr on the command line fixes it; drop one of them", e.getMessage());
    }
}
