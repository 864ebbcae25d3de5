package dev.errand.core.target;

/**
 * A target's rate limit for the whole fleet: a token bucket refilled at {@code perSecond} tokens a second,
 * holding at most {@code burst}. One call takes one token.
 */
public record RateLimit(double perSecond, int burst) {

    public RateLimit {
        if (!(perSecond > 0) || Double.isInfinite(perSecond)) {
            throw new IllegalArgumentException("ratePerSecond must be above 0, was " + perSecond);
        }
        if (burst < 1) {
            throw new IllegalArgumentException("burst must be at least 1, was " + burst);
        }
    }
}
