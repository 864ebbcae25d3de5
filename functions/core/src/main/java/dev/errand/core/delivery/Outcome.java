package dev.errand.core.delivery;

import java.time.Duration;
import java.time.Instant;

/**
 * What the consumer does with a message after its attempt (or its deliberate non-attempt). Each outcome
 * says whether it used one of the job's attempts: only a call does.
 */
public sealed interface Outcome {

    /** Whether a call was made for this outcome, so it counts against MaxAttempts. */
    boolean usedAttempt();

    /** The provider took it: the message is deleted. */
    record Delivered(int status) implements Outcome {
        @Override
        public boolean usedAttempt() {
            return true;
        }
    }

    /** A call failed but may succeed later: the message comes back after {@code delay}. */
    record Retry(Duration delay, String reason) implements Outcome {
        @Override
        public boolean usedAttempt() {
            return true;
        }
    }

    /**
     * It can never be delivered, ran out of attempts, or waited too long: it goes to the dead-letter queue
     * with the reason. {@code afterCall} when a call of this receive led to it.
     */
    record Reject(String reason, Cause cause, boolean afterCall) implements Outcome {
        @Override
        public boolean usedAttempt() {
            return afterCall;
        }
    }

    /** Why a job is rejected: its job record ends {@code failed} or {@code dead} accordingly. */
    enum Cause {
        /** Refused for good: a 4xx, an unreadable message, an unknown target, a secret that does not exist. */
        REFUSED,
        /** Given up on: every allowed attempt failed in a retryable way, or it was put off for too long. */
        EXHAUSTED
    }

    /**
     * Not attempted (breaker open, deadline near, secret unreadable for now): it comes back after
     * {@code delay} without using an attempt. {@code since} is when the job's current run of deferrals
     * began; a run longer than MaxDeferralSeconds ends in the dead-letter queue instead.
     */
    record Deferred(Duration delay, String reason, Instant since) implements Outcome {
        @Override
        public boolean usedAttempt() {
            return false;
        }
    }

    /** Not attempted, and needs nothing more: its record proves it succeeded (or was cancelled). The message is let go. */
    record Skip(String reason) implements Outcome {
        @Override
        public boolean usedAttempt() {
            return false;
        }
    }
}
