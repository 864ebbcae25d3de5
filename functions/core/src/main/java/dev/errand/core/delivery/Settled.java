package dev.errand.core.delivery;

import dev.errand.core.job.Job;
import java.time.Duration;
import java.util.Optional;

/**
 * One message's fate in a batch. {@code attempt} is the call number this receive made or would have made;
 * {@code status} and {@code latency} describe this receive's call, when one was made (and answered, for
 * the status).
 */
public record Settled(IncomingMessage message, Optional<Job> job, int attempt, Outcome outcome, Optional<Integer> status,
                      Optional<Duration> latency) {

    /** Every call made for the job so far, this receive's included: what a re-sent or dead-lettered copy carries. */
    public int callsMade() {
        return Math.max(0, outcome.usedAttempt() ? attempt : attempt - 1);
    }

    /** The target the message was for, or "unknown" when it could not even be read. */
    public String target() {
        return job.map(j -> j.request().target()).orElse("unknown");
    }
}
