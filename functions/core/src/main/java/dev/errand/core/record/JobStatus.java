package dev.errand.core.record;

import java.util.Locale;

/**
 * Where a job stands. {@code failed} and {@code dead} are in the dead-letter queue; {@code succeeded} and
 * {@code cancelled} are over. How a job moves between them is {@link JobLife}'s table.
 */
public enum JobStatus {
    /** Accepted, to be put on the queue at its {@code runAt}. */
    SCHEDULED,
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
    /** Given up on (MaxAttempts retryable failures, or put off past MaxDeferralSeconds): dead-lettered. */
    DEAD,
    /** Cancelled by its owner: never called afterwards. */
    CANCELLED;

    /** Whether the job's verdict is reached: nothing but a redrive (failed, dead) moves it again. */
    public boolean isFinal() {
        return this == SUCCEEDED || this == FAILED || this == DEAD || this == CANCELLED;
    }

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static JobStatus fromWire(String text) {
        return valueOf(text.toUpperCase(Locale.ROOT));
    }
}
