package dev.errand.local;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for something that happens asynchronously, failing with a message when it does not. */
final class Eventually {

    private Eventually() {}

    static void within(Duration limit, String what, BooleanSupplier done) {
        long end = System.nanoTime() + limit.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not within " + limit.toSeconds() + " s: " + what);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for: " + what);
            }
        }
    }
}
