package dev.errand.core.fleet;

import dev.errand.core.target.RateLimit;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * One target's state, shared by every consumer invocation of the fleet (one item of the TargetState table):
 * its circuit breaker, an operator's pause, a hold the provider asked for, and its token bucket. Immutable;
 * the rules that read it ({@link #admission}, {@link #nextInterval}, {@link Bucket}) are pure.
 *
 * @param failures retryable failures in a row, counted across invocations
 * @param interval how long the breaker stays open before the next probe (zero while closed)
 */
public record TargetState(String target, boolean open, int failures, Optional<Instant> nextProbeAt, Duration interval,
                          Optional<Lease> probe, Optional<Pause> pause, Optional<Hold> hold, Optional<Bucket> bucket) {

    /** The first wait of an opened breaker: long enough for a restart or a failover, short enough to notice recovery soon. */
    public static final Duration FIRST_PROBE_INTERVAL = Duration.ofSeconds(5);
    /** Each failed probe doubles the wait, up to this: a provider down for hours gets twelve probes an hour. */
    public static final Duration LONGEST_PROBE_INTERVAL = Duration.ofMinutes(5);
    /** Each interval is jittered by up to this fraction either way, so fleets opened together do not probe in step. */
    public static final double PROBE_JITTER = 0.2;

    /** A target nobody has written yet: closed, nothing counted, its bucket full. */
    public static TargetState fresh(String target) {
        return new TargetState(target, false, 0, Optional.empty(), Duration.ZERO, Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty());
    }

    /** The invocation allowed to make the one probe call, until when. */
    public record Lease(String holder, Instant until) {}

    /** An operator's pause: until a time, or (empty) until resumed. */
    public record Pause(Optional<Instant> until, String reason, String by, Instant at) {
        public boolean active(Instant now) {
            return until.map(now::isBefore).orElse(true);
        }
    }

    /** A wait the provider asked for (Retry-After, RateLimit-Reset), for every job of the target. */
    public record Hold(Instant until, String reason) {}

    /**
     * The token bucket, kept as one instant (GCRA, the generic cell rate algorithm): {@code tat}, when the
     * bucket will be full again. Taking {@code n} tokens moves it {@code n / rate} later, from now if it is
     * already past; it may not move further ahead of now than {@code burst / rate}. So a write is a plain
     * addition under a condition, and invocations taking tokens at once do not undo each other's writes.
     */
    public record Bucket(Instant tat) {

        /** A bucket nobody has taken from: full. */
        public static Bucket full(Instant now) {
            return new Bucket(now);
        }

        /** Whole tokens it holds at {@code now}, at most {@link RateLimit#tokensAtOnce}. */
        public int available(RateLimit rate, Instant now) {
            double ahead = seconds(now, later(tat, now));
            return (int) Math.max(0, Math.floor(rate.tokensAtOnce() - ahead * rate.perSecond() + 1e-9));
        }

        /** How long until it holds {@code n} whole tokens (n at most {@link RateLimit#tokensAtOnce}). */
        public Duration untilTokens(int n, RateLimit rate, Instant now) {
            long wait = Duration.between(now, later(tat, now)).toNanos() - (cost(rate.tokensAtOnce(), rate) - cost(n, rate));
            return wait <= 0 ? Duration.ZERO : Duration.ofNanos(wait);
        }

        /** The bucket after {@code n} tokens are taken at {@code now}. */
        public Bucket taken(int n, RateLimit rate, Instant now) {
            return new Bucket(later(tat, now).plusNanos(cost(n, rate)));
        }

        /** What {@code n} tokens move the bucket on, in nanoseconds. */
        public static long cost(int n, RateLimit rate) {
            return Math.round(n / rate.perSecond() * 1e9);
        }

        /** The furthest ahead of now the bucket may be after taking {@code n}: a full bucket's worth less those n. */
        public static Instant latestBefore(int n, RateLimit rate, Instant now) {
            return now.plusNanos(cost(rate.tokensAtOnce(), rate) - cost(n, rate));
        }

        /**
         * Of {@code n} tokens taken and not used, those that may go back at {@code now}: only the ones whose time
         * is still ahead ({@code leftAt}, the bucket as the take left it), since a bucket that has since refilled
         * past them would count them twice.
         */
        public static int returnable(int n, RateLimit rate, Instant leftAt, Instant now) {
            double ahead = seconds(now, later(leftAt, now));
            return (int) Math.min(n, Math.floor(ahead * rate.perSecond() + 1e-9));
        }

        private static Instant later(Instant a, Instant b) {
            return a.isAfter(b) ? a : b;
        }

        private static double seconds(Instant from, Instant to) {
            return Duration.between(from, to).toNanos() / 1e9;
        }
    }

    /** What the state lets a call to the target do now. */
    public sealed interface Admission {
        /** Closed and neither paused nor held: call (within the rate limit). */
        record Closed() implements Admission {}

        /** Open, and its probe time has come: one invocation may win the probe. */
        record ProbeDue() implements Admission {}

        /** Not now: wait until {@code until} ({@code Optional.empty()}: until an operator resumes it). */
        record Wait(Optional<Instant> until, Why why, String reason) implements Admission {}
    }

    /** Why a call waits, which decides how the waiting jobs are spread out. */
    public enum Why { PAUSED, HELD, OPEN, PROBING }

    /** The ladder: an operator's pause first, then a provider's hold, then the breaker. */
    public Admission admission(Instant now) {
        if (pause.isPresent() && pause.get().active(now)) {
            Pause p = pause.get();
            return new Admission.Wait(p.until(), Why.PAUSED, "target '" + target + "' is paused by " + p.by()
                    + p.until().map(u -> " until " + u).orElse(" until resumed") + (p.reason().isBlank() ? "" : ": " + p.reason()));
        }
        if (hold.isPresent() && now.isBefore(hold.get().until())) {
            return new Admission.Wait(Optional.of(hold.get().until()), Why.HELD, hold.get().reason());
        }
        if (!open) {
            return new Admission.Closed();
        }
        Instant probeAt = nextProbeAt.orElse(now);
        if (now.isBefore(probeAt)) {
            return new Admission.Wait(Optional.of(probeAt), Why.OPEN, "circuit open fleet-wide for target '" + target
                    + "' after " + failures + " retryable failures in a row; next probe at " + probeAt);
        }
        if (probe.isPresent() && now.isBefore(probe.get().until())) {
            return new Admission.Wait(Optional.of(probe.get().until()), Why.PROBING,
                    "circuit half-open for target '" + target + "': another invocation is probing it");
        }
        return new Admission.ProbeDue();
    }

    /** The open interval after a failed probe: base, doubled, jittered, clamped (failsafe's steps). */
    public static Duration nextInterval(Duration current, double random) {
        Duration base = current.isZero() ? FIRST_PROBE_INTERVAL : current.multipliedBy(2);
        double factor = 1 + PROBE_JITTER * (2 * Math.clamp(random, 0.0, 1.0) - 1);
        Duration jittered = Duration.ofMillis(Math.round(base.toMillis() * factor));
        return jittered.compareTo(LONGEST_PROBE_INTERVAL) > 0 ? LONGEST_PROBE_INTERVAL : jittered;
    }

    /** How the target looks to an operator now: paused, held, open, half-open (being probed) or closed. */
    public String shown(Instant now) {
        return switch (admission(now)) {
            case Admission.Wait w when w.why() == Why.PAUSED -> "paused";
            case Admission.Wait w when w.why() == Why.HELD -> "held";
            case Admission.Wait w when w.why() == Why.PROBING -> "half-open";
            case Admission.Wait w -> "open";
            case Admission.ProbeDue p -> "open";
            case Admission.Closed c -> "closed";
        };
    }

    public TargetState withBucket(Bucket b) {
        return new TargetState(target, open, failures, nextProbeAt, interval, probe, pause, hold, Optional.of(b));
    }

    public TargetState withFailures(int n) {
        return new TargetState(target, open, n, nextProbeAt, interval, probe, pause, hold, bucket);
    }

    public TargetState opened(Instant probeAt, Duration openFor) {
        return new TargetState(target, true, failures, Optional.of(probeAt), openFor, Optional.empty(), pause, hold, bucket);
    }

    public TargetState closed() {
        return new TargetState(target, false, 0, Optional.empty(), Duration.ZERO, Optional.empty(), pause, hold, bucket);
    }

    public TargetState probing(Lease lease) {
        return new TargetState(target, open, failures, nextProbeAt, interval, Optional.of(lease), pause, hold, bucket);
    }

    public TargetState held(Hold h) {
        return new TargetState(target, open, failures, nextProbeAt, interval, probe, pause, Optional.of(h), bucket);
    }
}
