package dev.errand.cli;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A request to stop at the next safe point (SIGTERM or Ctrl-C): long work checks it between units, and
 * waits on it instead of sleeping, so a stop is seen at once.
 */
public final class StopSignal {

    private final CountDownLatch stop = new CountDownLatch(1);

    public void request() {
        stop.countDown();
    }

    public boolean requested() {
        return stop.getCount() == 0;
    }

    /** Waits this long, or less when a stop is requested meanwhile; answers whether one was. */
    public boolean pause(Duration wait) {
        try {
            return stop.await(wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }
}
