package dev.errand.core.target;

import java.time.Duration;

/**
 * A target's rate limit for the whole fleet: a token bucket refilled at {@code perSecond} tokens a second,
 * holding at most {@code burst}. One call takes one token.
 */
public record RateLimit(double perSecond, int burst) {

    /**
     * Calls reach a provider up to about this much out of step with the order their tokens were taken (a cold
     * container's first connection, a pause of its JVM): the bucket keeps that much of the burst in hand, so the
     * provider itself counts no more than rate + burst in any second.
     */
    public static final Duration ARRIVAL_SPREAD = Duration.ofMillis(100);

    public RateLimit {
        if (!(perSecond > 0) || Double.isInfinite(perSecond)) {
            throw new IllegalArgumentException("ratePerSecond must be above 0, was " + perSecond);
        }
        if (burst < 1) {
            throw new IllegalArgumentException("burst must be at least 1, was " + burst);
        }
    }

    /** Tokens the bucket holds at most: the burst less {@link #ARRIVAL_SPREAD}'s worth of calls, never under half the burst. */
    public int tokensAtOnce() {
        int spread = (int) Math.ceil(perSecond * ARRIVAL_SPREAD.toNanos() / 1e9 - 1e-9);
        return Math.max((burst + 1) / 2, burst - spread);
    }
}
