/*
 * How the labels of related-domain data (train --aux-train) become the target's labels: a small
 * tab-separated file, one `aux label<TAB>target label` per line (blank lines and lines starting with
 * # skipped). Labels the file does not name stay as they are, so a map lists only what differs.
 * Every label must end up one of the target's: an aux set may not bring classes of its own, since
 * the head has no output for them.
 */
package dev.kanna.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

public final class LabelMapping {
    /** No renaming: every aux label must already be a target label. */
    public static final LabelMapping NONE = new LabelMapping(null, Map.of(), Map.of());

    private final Path file;                    // null for NONE
    private final Map<String, String> targets;  // aux label → target label
    private final Map<String, Long> lines;      // aux label → its line, for messages

    private LabelMapping(Path file, Map<String, String> targets, Map<String, Long> lines) {
        this.file = file;
        this.targets = targets;
        this.lines = lines;
    }

    /** Reads a map; a line without exactly two non-empty tab-separated fields, or an aux label named twice, names file:line. */
    public static LabelMapping read(Path file) {
        List<String> text;
        try {
            text = Files.readAllLines(file);
        } catch (NoSuchFileException e) {
            throw new DatasetException(file + ": no such file");
        } catch (IOException e) {
            throw new DatasetException(file + ": cannot read: " + e.getMessage(), e);
        }
        Map<String, String> targets = new LinkedHashMap<>();
        Map<String, Long> lines = new LinkedHashMap<>();
        for (int i = 0; i < text.size(); i++) {
            String line = text.get(i);
            long lineNo = i + 1;
            if (line.isBlank() || line.startsWith("#")) continue;
            String[] fields = line.split("\t", -1);
            if (fields.length != 2 || fields[0].isEmpty() || fields[1].isEmpty()) {
                throw new DatasetException(file + ":" + lineNo + ": expected an aux label and a target label separated"
                        + " by one tab, got \"" + line + "\"");
            }
            Long first = lines.putIfAbsent(fields[0], lineNo);
            if (first != null) {
                throw new DatasetException(file + ":" + lineNo + ": aux label \"" + fields[0] + "\" is mapped twice"
                        + " (first on line " + first + ")");
            }
            targets.put(fields[0], fields[1]);
        }
        if (targets.isEmpty()) throw new DatasetException(file + ": no mappings (expected aux label<TAB>target label lines)");
        return new LabelMapping(file, targets, lines);
    }

    public boolean isEmpty() {
        return targets.isEmpty();
    }

    /** The map file; null for NONE. */
    public Path file() {
        return file;
    }

    /** Checks that every label it maps to is one of the target's, naming the line that is not. */
    public LabelMapping checkedAgainst(List<String> targetLabels) {
        for (var e : targets.entrySet()) {
            if (!targetLabels.contains(e.getValue())) {
                throw new DatasetException(file + ":" + lines.get(e.getKey()) + ": maps \"" + e.getKey() + "\" to \""
                        + e.getValue() + "\", which is not one of the target labels (" + String.join(", ", targetLabels) + ")");
            }
        }
        return this;
    }

    /**
     * The target label of an aux row's label (renamed, or kept when the map does not name it); one
     * that is not among targetLabels is an error naming the aux file and line.
     */
    public String apply(String label, List<String> targetLabels, Path auxFile, long line) {
        String target = targets.getOrDefault(label, label);
        if (!targetLabels.contains(target)) {
            throw new DatasetException(auxFile + ":" + line + ": label \"" + label + "\" is not one of the target labels ("
                    + String.join(", ", targetLabels) + ")" + (file == null
                    ? "; map it with --aux-label-map FILE (lines of aux label<TAB>target label)"
                    : " and " + file + " does not map it"));
        }
        return target;
    }
}
