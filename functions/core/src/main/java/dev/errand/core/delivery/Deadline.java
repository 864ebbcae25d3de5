package dev.errand.core.delivery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/** The moment by which a batch's calls must be over, so the handler can answer before Lambda's timeout. */
public record Deadline(Clock clock, Instant end) {

    public static Deadline after(Clock clock, Duration budget) {
        return new Deadline(clock, clock.instant().plus(budget));
    }

    public Duration remaining() {
        Duration left = Duration.between(clock.instant(), end);
        return left.isNegative() ? Duration.ZERO : left;
    }

    public boolean allows(Duration work) {
        return remaining().compareTo(work) >= 0;
    }
}
