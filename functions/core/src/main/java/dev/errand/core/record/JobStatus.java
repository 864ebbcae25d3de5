package dev.errand.core.record;

import java.util.Locale;

/** Where a job stands. {@code failed} and {@code dead} are both in the dead-letter queue; {@code succeeded} is final. */
public enum JobStatus {
    /** Accepted and on the queue, not yet called. */
    QUEUED,
    /** A call is being made. */
    RUNNING,
    /** The last call failed in a way worth retrying; the next waits for its backoff. */
    RETRYING,
    /** The provider took it (2xx). */
    SUCCEEDED,
    /** Refused for good (a 4xx, an unknown target, ...): dead-lettered at once. */
    FAILED,
    /** Gave up after MaxAttempts retryable failures: dead-lettered. */
    DEAD;

    public boolean isFinal() {
        return this == SUCCEEDED || this == FAILED || this == DEAD;
    }

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static JobStatus fromWire(String text) {
        return valueOf(text.toUpperCase(Locale.ROOT));
    }

    /**
     * A number that only grows as a job moves on, so a store can refuse a late or repeated event with one
     * comparison: queued is 0, attempt n is 10n+1 while running and 10n+2 while retrying, final states top all.
     */
    public long progress(int attempt) {
        return switch (this) {
            case QUEUED -> 0;
            case RUNNING -> attempt * 10L + 1;
            case RETRYING -> attempt * 10L + 2;
            case SUCCEEDED, FAILED, DEAD -> FINAL_PROGRESS;
        };
    }

    /** Above any attempt's progress: attempts are bounded by MaxAttempts (at most 28) and redrives. */
    public static final long FINAL_PROGRESS = 1_000_000_000L;
}
