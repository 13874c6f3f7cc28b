package dev.kanna.report;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ReportTest {

    @Test
    void svgHasBothSeries() {
        String svg = SvgPlot.render("run", List.of(new SvgPlot.Point(1, 0.7), new SvgPlot.Point(2, 0.5)),
                "macro_f1", List.of(new SvgPlot.Point(2, 0.9)));
        assertTrue(svg.startsWith("<svg"));
        assertEquals(2, svg.split("<path ").length - 1, "one path per series");
        assertTrue(svg.contains("validation macro_f1"));
    }

    @Test
    void progressBarLogsPlainLinesWhenNotOnATerminal() {
        var bytes = new ByteArrayOutputStream();
        try (var bar = new ProgressBar(new PrintStream(bytes, true, StandardCharsets.UTF_8), "train", 100, "samples", false, 0)) {
            for (int i = 0; i < 100; i++) bar.step(1, "loss 0.5");
        }
        String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(11, lines.length, "one line per tenth, including 0% and 100%");
        assertTrue(lines[lines.length - 1].contains("100/100 100%"));
        assertFalse(bytes.toString(StandardCharsets.UTF_8).contains("\r"));
    }

    @Test
    void progressBarRateAndEtaLeaveOutTheResumedSteps() {
        var bytes = new ByteArrayOutputStream();
        var bar = new ProgressBar(new PrintStream(bytes, true, StandardCharsets.UTF_8), "train", 100, "steps", false, 90);
        for (int i = 0; i < 5; i++) bar.step(1, "");
        // 5 steps in 5 s since the resume: 1 step/s, 5 steps left; counting the 90 resumed would give 19/s, ETA 0.
        String line = bar.render(5.0);
        assertTrue(line.contains("95/100"), line);
        assertTrue(line.contains("| 1.0 steps/s |"), line);
        assertTrue(line.endsWith("ETA 00:05"), line);
    }

    @Test
    void durationsFormat() {
        assertEquals("01:05", ProgressBar.formatDuration(65));
        assertEquals("1:01:01", ProgressBar.formatDuration(3661));
    }
}
