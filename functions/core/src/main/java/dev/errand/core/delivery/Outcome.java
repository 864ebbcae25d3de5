package dev.errand.core.delivery;

import java.time.Duration;

/** What the consumer does with a message after its attempt (or its deliberate non-attempt). */
public sealed interface Outcome {

    /** The provider took it: the message is deleted. */
    record Delivered(int status) implements Outcome {}

    /** A call failed but may succeed later: the message comes back after {@code delay}. */
    record Retry(Duration delay, String reason) implements Outcome {}

    /** It can never be delivered, or ran out of attempts: it goes to the dead-letter queue with the reason. */
    record Reject(String reason, Cause cause) implements Outcome {}

    /** Why a job is rejected: its job record ends {@code failed} or {@code dead} accordingly. */
    enum Cause {
        /** Refused for good: a 4xx, an unreadable message, an unknown target. */
        REFUSED,
        /** Every allowed attempt was made and failed in a retryable way. */
        EXHAUSTED
    }

    /** Not attempted (breaker open, deadline near): it comes back after {@code delay} without using an attempt. */
    record Deferred(Duration delay, String reason) implements Outcome {}

    /** Not attempted because its record shows it needs nothing more (already succeeded): the message is let go. */
    record Skip(String reason) implements Outcome {}
}
