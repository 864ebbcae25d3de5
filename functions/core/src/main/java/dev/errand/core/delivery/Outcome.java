package dev.errand.core.delivery;

import java.time.Duration;

/** What the consumer does with a message after its attempt (or its deliberate non-attempt). */
public sealed interface Outcome {

    /** The provider took it: the message is deleted. */
    record Delivered(int status) implements Outcome {}

    /** A call failed but may succeed later: the message comes back after {@code delay}. */
    record Retry(Duration delay, String reason) implements Outcome {}

    /** It can never be delivered (or ran out of attempts): it goes to the dead-letter queue with the reason. */
    record Reject(String reason) implements Outcome {}

    /** Not attempted (breaker open, deadline near): it comes back after {@code delay} without using an attempt. */
    record Deferred(Duration delay, String reason) implements Outcome {}
}
