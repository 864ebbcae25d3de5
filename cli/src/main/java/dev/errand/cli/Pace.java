package dev.errand.cli;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Keeps a run at or under a number of messages per second: message k may go {@code k / rate} seconds after
 * the first. Batches are no larger than one second's worth, so the rate holds over any second or more.
 */
final class Pace {

    /** SQS batch calls take 10 entries. */
    static final int MAX_BATCH = 10;
    /** Above this a rate is no limit at all for a one-threaded CLI; below 1 the rate would be a pause, not a rate. */
    static final int MAX_RATE = 10_000;

    private final Optional<Integer> rate;
    private final Clock clock;
    private final StopSignal stop;
    private Optional<Instant> start = Optional.empty();
    private long issued;

    private Pace(Optional<Integer> rate, Clock clock, StopSignal stop) {
        this.rate = rate;
        this.clock = clock;
        this.stop = stop;
    }

    static Pace unlimited(Clock clock, StopSignal stop) {
        return new Pace(Optional.empty(), clock, stop);
    }

    static Pace perSecond(int rate, Clock clock, StopSignal stop) {
        if (rate < 1 || rate > MAX_RATE) {
            throw new IllegalArgumentException("a rate is 1 to " + MAX_RATE + " messages per second, was " + rate);
        }
        return new Pace(Optional.of(rate), clock, stop);
    }

    /** Reads "50" or "50/s". */
    static Optional<Integer> parse(String text) {
        String number = text.strip().endsWith("/s") ? text.strip().substring(0, text.strip().length() - 2) : text.strip();
        return number.matches("\\d{1,5}") && Integer.parseInt(number) >= 1 && Integer.parseInt(number) <= MAX_RATE
                ? Optional.of(Integer.parseInt(number)) : Optional.empty();
    }

    int batchSize() {
        return rate.map(r -> Math.min(MAX_BATCH, r)).orElse(MAX_BATCH);
    }

    /** Waits until {@code count} more messages may go; false when a stop was requested meanwhile. */
    boolean await(int count) {
        if (rate.isEmpty()) {
            return !stop.requested();
        }
        Instant first = start.orElseGet(clock::instant);
        start = Optional.of(first);
        Instant due = first.plusNanos(issued * 1_000_000_000L / rate.get());
        Duration wait = Duration.between(clock.instant(), due);
        if (wait.isPositive() && stop.pause(wait)) {
            return false;
        }
        issued += count;
        return !stop.requested();
    }
}
