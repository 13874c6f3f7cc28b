/*
 * A domain expert's labelling rules: a text file, one rule per line, `label<TAB>regex` (the regex is
 * everything after the first tab; Java syntax, found anywhere in the text, case-sensitive unless it
 * starts with (?i)). Blank lines and lines starting with # are skipped. File order is precedence:
 * a rule labelled ABSTAIN that fires silences every rule below it for that text (an exception the
 * expert writes above the rules it overrides); rules above it still vote.
 *
 *   ABSTAIN	(?i)unsubscribe from this newsletter you signed up for
 *   spam	(?i)\bunsubscribe\b
 *   spam	(?i)viagra|cialis
 *   ham	(?i)^Subject: Re:
 */
package dev.kanna.weak;

import dev.kanna.data.DatasetException;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

public record LabelingRules(Path file, List<Rule> rules) {
    /** The label of a rule that votes for nothing and silences the rules below it. */
    public static final String ABSTAIN = "ABSTAIN";

    /** One rule; line: its line in the rules file, which names it in reports. */
    public record Rule(long line, String label, Pattern pattern) {
        public boolean abstains() {
            return label.equals(ABSTAIN);
        }

        public boolean fires(String text) {
            return pattern.matcher(text).find();
        }
    }

    public LabelingRules {
        rules = List.copyOf(rules);
    }

    /** Reads and compiles the rules; a malformed line or a regex that does not compile is one DatasetException naming file:line. */
    public static LabelingRules read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (NoSuchFileException e) {
            throw new DatasetException(file + ": no such file");
        } catch (CharacterCodingException e) {
            throw new DatasetException(file + ": not valid UTF-8");
        } catch (IOException e) {
            throw new DatasetException(file + ": cannot read: " + e.getMessage(), e);
        }
        List<Rule> rules = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            String where = file + ":" + (i + 1);
            if (line.isBlank() || line.startsWith("#")) continue;
            int tab = line.indexOf('\t');
            if (tab <= 0 || tab == line.length() - 1 || line.substring(0, tab).isBlank()) {
                throw new DatasetException(where + ": expected label<TAB>regex, got \"" + line + "\"");
            }
            String label = line.substring(0, tab), regex = line.substring(tab + 1);
            try {
                rules.add(new Rule(i + 1, label, Pattern.compile(regex)));
            } catch (PatternSyntaxException e) {
                throw new DatasetException(where + ": the regex does not compile: " + e.getDescription()
                        + (e.getIndex() >= 0 ? " at index " + e.getIndex() : "") + " in \"" + regex + "\"");
            }
        }
        if (rules.stream().allMatch(Rule::abstains)) {
            throw new DatasetException(file + ": no rule gives a label (expected label<TAB>regex lines)");
        }
        return new LabelingRules(file, rules);
    }

    /** The labels the rules give, in order of first appearance (ABSTAIN not among them). */
    public List<String> labels() {
        return rules.stream().filter(r -> !r.abstains()).map(Rule::label).distinct().toList();
    }
}
