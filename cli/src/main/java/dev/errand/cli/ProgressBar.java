package dev.errand.cli;

import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Progress on stderr: a bar redrawn in place on a terminal, else, for a long run, a line at every tenth
 * of the way, so logs stay short. The total is an estimate (SQS counts approximately); the bar never
 * runs past its end.
 */
final class ProgressBar {

    static final int WIDTH = 30;
    /** Lines when not on a terminal: one per tenth. */
    static final int STEPS = 10;
    /** Not on a terminal, only runs this long get progress lines: a log of a short run needs none. */
    static final int LONG_RUN = 100;

    private final PrintWriter err;
    private final boolean terminal;
    private final Clock clock;
    private final Instant start;
    private final String label;
    private final int total;
    private int done;
    private int lastStep;

    ProgressBar(PrintWriter err, boolean terminal, Clock clock, String label, int total) {
        this.err = err;
        this.terminal = terminal;
        this.clock = clock;
        this.start = clock.instant();
        this.label = label;
        this.total = total;
    }

    void advance() {
        done++;
        int shownTotal = Math.max(total, done);
        int step = done * STEPS / shownTotal;
        if (terminal) {
            draw();
        } else if (total >= LONG_RUN && (step > lastStep || done == shownTotal)) {
            err.println(line());
            err.flush();
        }
        lastStep = step;
    }

    /** Clears the bar so a line can be printed in its place; the next advance redraws it. */
    void clear() {
        if (terminal) {
            err.print("\r" + " ".repeat(line().length()) + "\r");
            err.flush();
        }
    }

    void finish() {
        if (terminal && done > 0) {
            draw();
            err.println();
            err.flush();
        }
    }

    private void draw() {
        err.print("\r" + line());
        err.flush();
    }

    private String line() {
        int shownTotal = Math.max(1, Math.max(total, done));
        int filled = done * WIDTH / shownTotal;
        double seconds = Math.max(0.001, Duration.between(start, clock.instant()).toMillis() / 1000.0);
        return String.format("%s [%s%s] %d/%d  %.1f/s", label, "#".repeat(filled), "-".repeat(WIDTH - filled), done,
                Math.max(total, done), done / seconds);
    }
}
