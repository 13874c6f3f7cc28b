/*
 * A progress bar on stderr for long work: on a terminal it redraws one line (at most ten times a
 * second); when stderr is a file or pipe it writes a plain line every ~10% or 30 s instead, so logs
 * stay readable. Shows step/total, percent, rate, ETA and caller-supplied fields (loss, lr...).
 */
package dev.kanna.report;

import java.io.PrintStream;
import java.util.Locale;

public final class ProgressBar implements AutoCloseable {
    private static final int WIDTH = 24;

    private final PrintStream out;
    private final String label;
    private final long total;
    private final String unit;
    private final boolean terminal;
    private final long startNanos = System.nanoTime();
    private long lastDrawNanos;
    private long lastLoggedTenth = -1;
    private long lastLogNanos;
    /** Units already done when the bar started (a resumed run's steps): counted in done, not in the rate. */
    private final long initial;
    private long done;
    private String fields = "";

    public ProgressBar(String label, long total, String unit) {
        this(label, total, unit, 0);
    }

    /** A bar that starts at initial of total (e.g. a resumed run); rate and ETA count only what follows. */
    public ProgressBar(String label, long total, String unit, long initial) {
        this(System.err, label, total, unit, System.console() != null && System.console().isTerminal(), initial);
    }

    public ProgressBar(PrintStream out, String label, long total, String unit, boolean terminal, long initial) {
        this.out = out;
        this.label = label;
        this.total = Math.max(0, total);
        this.unit = unit;
        this.terminal = terminal;
        this.initial = Math.max(0, initial);
        this.done = this.initial;
    }

    /** Advances by n units and sets the extra fields shown after the bar (e.g. "loss 0.4123 lr 2.0e-05"). */
    public void step(long n, String fields) {
        done += n;
        this.fields = fields == null ? "" : fields;
        long now = System.nanoTime();
        if (terminal) {
            if (now - lastDrawNanos > 100_000_000L || done >= total) {
                lastDrawNanos = now;
                out.print("\r" + renderAt(now) + "\u001b[K");
                out.flush();
            }
        } else {
            long tenth = total == 0 ? 10 : done * 10 / total;
            if (tenth != lastLoggedTenth || now - lastLogNanos > 30_000_000_000L) {
                lastLoggedTenth = tenth;
                lastLogNanos = now;
                out.println(renderAt(now));
            }
        }
    }

    private String renderAt(long now) {
        return render((now - startNanos) / 1e9);
    }

    /** The bar's line after the given seconds since it started. */
    String render(double seconds) {
        double rate = seconds > 0 ? (done - initial) / seconds : 0;
        double fraction = total == 0 ? 1 : Math.min(1, (double) done / total);
        int filled = (int) Math.round(fraction * WIDTH);
        String bar = "█".repeat(filled) + "░".repeat(WIDTH - filled);
        String eta = rate > 0 && done < total ? formatDuration((total - done) / rate) : "--:--";
        return String.format(Locale.ROOT, "%s %s %d/%d %3.0f%% | %s | %.1f %s/s | elapsed %s ETA %s",
                label, bar, done, total, fraction * 100, fields, rate, unit, formatDuration(seconds), eta)
                .replace("|  |", "|");
    }

    public static String formatDuration(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%02d:%02d", s / 60, s % 60);
    }

    @Override
    public void close() {
        if (terminal) {
            out.print("\r" + renderAt(System.nanoTime()) + "\u001b[K" + System.lineSeparator());
        } else if (lastLoggedTenth != (total == 0 ? 10 : done * 10 / total)) {
            out.println(renderAt(System.nanoTime()));
        }
        out.flush();
    }
}
