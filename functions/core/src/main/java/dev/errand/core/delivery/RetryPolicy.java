package dev.errand.core.delivery;

import java.time.Duration;
import java.util.Optional;
import java.util.function.DoubleSupplier;

/**
 * How many calls a job gets and how long to wait between them: exponential backoff with full jitter,
 * {@code random(0, min(cap, base * 2^(attempt-1)))}, unless the provider sent Retry-After.
 * Immutable; build it with {@link #builder()}.
 */
public final class RetryPolicy {

    /** SQS cannot hide a message for longer than 12 hours, so no wait may exceed it. */
    public static final Duration LONGEST_DELAY = Duration.ofHours(12);
    /** SQS visibility is whole seconds, and 0 would call a failing provider again at once. */
    public static final Duration SHORTEST_DELAY = Duration.ofSeconds(1);

    private final int maxAttempts;
    private final Duration baseDelay;
    private final Duration maxDelay;
    private final DoubleSupplier jitter;

    private RetryPolicy(Builder b) {
        this.maxAttempts = b.maxAttempts;
        this.baseDelay = b.baseDelay;
        this.maxDelay = b.maxDelay;
        this.jitter = b.jitter;
    }

    public static Builder builder() {
        return new Builder();
    }

    public int maxAttempts() {
        return maxAttempts;
    }

    public Duration baseDelay() {
        return baseDelay;
    }

    public Duration maxDelay() {
        return maxDelay;
    }

    /** The source of fractions the jitter draws from: what else must spread out (deferred jobs) draws from it too. */
    public DoubleSupplier random() {
        return jitter;
    }

    /** The outcome of call number {@code attempt} (1-based), given what its result meant. */
    public Outcome decide(int attempt, Verdict verdict) {
        return switch (verdict) {
            case Verdict.Success s -> new Outcome.Delivered(s.status());
            case Verdict.Permanent p -> new Outcome.Reject(p.reason(), Outcome.Cause.REFUSED, true);
            case Verdict.Transient t when attempt >= maxAttempts -> new Outcome.Reject(
                    "gave up after " + attempt + " attempt" + (attempt == 1 ? "" : "s") + "; last: " + t.reason(), Outcome.Cause.EXHAUSTED, true);
            case Verdict.Transient t -> new Outcome.Retry(delay(attempt, t.retryAfter()), t.reason());
        };
    }

    /** The wait before the call after {@code attempt}: Retry-After when given, else jittered backoff. */
    public Duration delay(int attempt, Optional<Duration> retryAfter) {
        return retryAfter
                .map(asked -> clamp(asked, SHORTEST_DELAY, LONGEST_DELAY))
                .orElseGet(() -> clamp(jitter(backoff(attempt)), SHORTEST_DELAY, maxDelay));
    }

    /** base * 2^(attempt-1), saturating at the cap instead of overflowing. */
    Duration backoff(int attempt) {
        int doublings = Math.max(0, attempt - 1);
        long capMillis = maxDelay.toMillis();
        long millis = baseDelay.toMillis();
        for (int i = 0; i < doublings && millis < capMillis; i++) {
            millis *= 2;
        }
        return Duration.ofMillis(Math.min(millis, capMillis));
    }

    /** Full jitter: anywhere from nothing to the whole delay, so retries of one outage spread out. */
    Duration jitter(Duration delay) {
        double fraction = Math.clamp(jitter.getAsDouble(), 0.0, 1.0);
        return Duration.ofMillis(Math.round(delay.toMillis() * fraction));
    }

    private static Duration clamp(Duration d, Duration min, Duration max) {
        return d.compareTo(min) < 0 ? min : d.compareTo(max) > 0 ? max : d;
    }

    /** The longest a job can wait in all: every gap at its ceiling, since a provider may ask for 12 h each time. */
    public Duration worstCaseSchedule() {
        return LONGEST_DELAY.multipliedBy(maxAttempts - 1L);
    }

    /** The schedule without jitter or Retry-After: the ceiling of each gap, gap 1 first. */
    public java.util.List<Duration> nominalGaps() {
        return java.util.stream.IntStream.range(1, maxAttempts).mapToObj(this::backoff).toList();
    }

    public static final class Builder {
        private int maxAttempts = 12;
        private Duration baseDelay = Duration.ofSeconds(30);
        private Duration maxDelay = Duration.ofHours(6);
        private DoubleSupplier jitter = () -> java.util.concurrent.ThreadLocalRandom.current().nextDouble();

        private Builder() {}

        public Builder maxAttempts(int maxAttempts) {
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
            }
            this.maxAttempts = maxAttempts;
            return this;
        }

        public Builder baseDelay(Duration baseDelay) {
            if (baseDelay.compareTo(SHORTEST_DELAY) < 0) {
                throw new IllegalArgumentException("baseDelay must be at least 1 s (SQS counts whole seconds), was " + baseDelay);
            }
            this.baseDelay = baseDelay;
            return this;
        }

        public Builder maxDelay(Duration maxDelay) {
            if (maxDelay.compareTo(LONGEST_DELAY) > 0) {
                throw new IllegalArgumentException("maxDelay must be at most 12 h (SQS's longest visibility timeout), was " + maxDelay);
            }
            this.maxDelay = maxDelay;
            return this;
        }

        /** A source of fractions in [0, 1]; inject a fixed one in tests to make the schedule exact. */
        public Builder jitter(DoubleSupplier jitter) {
            this.jitter = jitter;
            return this;
        }

        public RetryPolicy build() {
            if (maxDelay.compareTo(baseDelay) < 0) {
                throw new IllegalArgumentException("maxDelay (" + maxDelay + ") must not be below baseDelay (" + baseDelay + ")");
            }
            return new RetryPolicy(this);
        }
    }
}
