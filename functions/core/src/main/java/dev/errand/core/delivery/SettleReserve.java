package dev.errand.core.delivery;

import java.time.Duration;

/**
 * How much of an invocation to keep back from the calls for what comes after them (the record writes of
 * calls that ended at the deadline, then settling the batch: SQS visibility changes, DLQ sends, re-sends),
 * sized from what that took in this warm container rather than from a fixed share: a slow SQS or DynamoDB,
 * or a large batch of dead letters, gets a larger reserve, a quick one gives the calls more time.
 */
public final class SettleReserve {

    /** Never less: an outcome's record write after a call that ended at the deadline, and an SQS round. */
    public static final Duration MINIMUM = Duration.ofSeconds(1);
    /** Before this container has settled a batch: three SQS calls in a row (dead letter, fallback copy, visibility) of a cold client. */
    public static final Duration FIRST_GUESS = Duration.ofSeconds(3);
    /** What was measured is scaled up by this much, for a batch that has more to settle than the last. */
    static final double HEADROOM = 1.5;

    private volatile Duration taken = FIRST_GUESS.dividedBy(2);

    /** The reserve for an invocation with {@code remaining} left: what the work after the calls took, with headroom, at most half. */
    public Duration reserve(Duration remaining) {
        Duration wanted = Duration.ofNanos((long) (taken.toNanos() * HEADROOM));
        Duration atLeast = wanted.compareTo(MINIMUM) < 0 ? MINIMUM : wanted;
        Duration half = remaining.dividedBy(2);
        return atLeast.compareTo(half) > 0 ? half : atLeast;
    }

    /** What the work after the calls took, from their deadline to the end of settling: a slower one counts at once, a faster one by halves. */
    public void took(Duration afterDeadline) {
        Duration current = taken;
        Duration averaged = current.plus(afterDeadline).dividedBy(2);
        taken = afterDeadline.compareTo(averaged) > 0 ? afterDeadline : averaged;
    }
}
