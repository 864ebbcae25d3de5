package dev.errand.bench.callers;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Enforces a call's hard timeout for clients whose own timeouts are per read (a body that trickles in
 * would never trip them): at the deadline it aborts the call, and remembers that it did.
 */
final class Watchdog {

    private final ScheduledThreadPoolExecutor timer;

    Watchdog() {
        timer = new ScheduledThreadPoolExecutor(1, r -> Thread.ofPlatform().daemon().name("errand-call-watchdog").unstarted(r));
        // cancelled timers (every call that finishes in time) must not pile up in the queue
        timer.setRemoveOnCancelPolicy(true);
    }

    /** One armed deadline; close it when the call is over. */
    static final class Armed implements AutoCloseable {
        private final AtomicBoolean fired = new AtomicBoolean();
        private ScheduledFuture<?> future;

        boolean fired() {
            return fired.get();
        }

        @Override
        public void close() {
            future.cancel(false);
        }
    }

    Armed arm(Duration timeout, Runnable abort) {
        Armed armed = new Armed();
        armed.future = timer.schedule(() -> {
            armed.fired.set(true);
            abort.run();
        }, timeout.toNanos(), TimeUnit.NANOSECONDS);
        return armed;
    }
}
