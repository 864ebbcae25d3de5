package dev.errand.cli;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** {@code scripts/errand}: runs one command; SIGTERM or Ctrl-C asks it to stop at the next safe point. */
public final class Main {

    /**
     * After a stop request the JVM waits this long for the command to reach a safe point (a redrive
     * finishes its batch in hand: seconds). Longer means SQS or DynamoDB hangs; the next run recovers.
     */
    static final Duration GRACE = Duration.ofSeconds(25);

    private Main() {}

    public static void main(String[] args) {
        StopSignal stop = new StopSignal();
        CountDownLatch finished = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop.request();
            awaitQuietly(finished);
        }, "errand-stop"));
        int code = Errand.commandLine(new Context(System.getenv(), Clock.systemUTC(), stop,
                System.console() instanceof java.io.Console console && console.isTerminal())).execute(args);
        finished.countDown();
        System.exit(code);
    }

    private static void awaitQuietly(CountDownLatch finished) {
        try {
            finished.await(GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
