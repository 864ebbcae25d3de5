package dev.errand.core.fleet;

import dev.errand.core.delivery.CallResult;
import dev.errand.core.delivery.RetryAfter;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * What a provider's answer says about the whole target, not only the job: a {@code 429} or {@code 503} with
 * {@code Retry-After}, or {@code RateLimit-Remaining: 0} (or {@code X-}) with a reset time, holds every job
 * of the target until then.
 */
public final class ProviderSignals {

    /** No hold longer than SQS can hide a message; a provider asking for more is retried at least that often. */
    public static final Duration LONGEST_HOLD = Duration.ofHours(12);
    /** A reset above this is a Unix time (seconds since 1970), below it a number of seconds from now. */
    static final long UNIX_TIME_FROM = 1_000_000_000L;

    private ProviderSignals() {}

    /** The hold the answer asks for, if any. */
    public static Optional<TargetState.Hold> hold(CallResult result, Instant now) {
        if (!(result instanceof CallResult.Responded r)) {
            return Optional.empty();
        }
        if ((r.status() == 429 || r.status() == 503) && r.retryAfter().isPresent()) {
            Optional<Duration> wait = r.retryAfter().flatMap(v -> RetryAfter.parse(v, now));
            if (wait.isPresent() && wait.get().isPositive()) {
                return Optional.of(new TargetState.Hold(now.plus(capped(wait.get())),
                        "the provider asked every job to wait (HTTP " + r.status() + ", Retry-After: " + r.retryAfter().get().strip() + ")"));
            }
        }
        boolean exhausted = r.rate().remaining().map(String::strip).filter(v -> v.equals("0")).isPresent();
        Optional<Instant> reset = r.rate().reset().flatMap(v -> reset(v, now));
        if (exhausted && reset.isPresent() && reset.get().isAfter(now)) {
            return Optional.of(new TargetState.Hold(now.plus(capped(Duration.between(now, reset.get()))),
                    "the provider's rate limit is used up until " + reset.get() + " (RateLimit-Remaining: 0)"));
        }
        return Optional.empty();
    }

    /** A reset as seconds from now or a Unix time; empty when it is neither. */
    static Optional<Instant> reset(String value, Instant now) {
        String v = value.strip();
        if (v.isEmpty() || v.length() > 12 || !v.chars().allMatch(Character::isDigit)) {
            return Optional.empty();
        }
        long n = Long.parseLong(v);
        return Optional.of(n >= UNIX_TIME_FROM ? Instant.ofEpochSecond(n) : now.plusSeconds(n));
    }

    private static Duration capped(Duration wait) {
        return wait.compareTo(LONGEST_HOLD) > 0 ? LONGEST_HOLD : wait;
    }
}
