package dev.errand.core.fleet;

import dev.errand.core.target.RateLimit;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Where the fleet's target states live (the TargetState table in DynamoDB). Every change that two
 * invocations could race for (opening the breaker, winning the probe, taking tokens) is one conditional
 * write: exactly one wins. Each method reports a store that cannot be reached as a value, never an exception.
 */
public interface TargetStates {

    /** No table configured: every invocation protects its targets on its own, as before fleet-wide control. */
    TargetStates NONE = new TargetStates() {
        @Override
        public Read read(Set<String> targets) {
            return new Read.Unavailable("no target state table is configured");
        }

        @Override
        public Counted countFailure(String target) {
            return new Counted.Unavailable("no target state table is configured");
        }

        @Override
        public Write resetFailures(String target) {
            return new Write.Done();
        }

        @Override
        public Race open(String target, Instant nextProbeAt, Duration interval) {
            return new Race.Unavailable("no target state table is configured");
        }

        @Override
        public Race takeProbe(String target, String holder, Instant leaseUntil) {
            return new Race.Unavailable("no target state table is configured");
        }

        @Override
        public Write probed(String target, String holder, boolean healthy, Instant nextProbeAt, Duration interval) {
            return new Write.Done();
        }

        @Override
        public Write releaseProbe(String target, String holder) {
            return new Write.Done();
        }

        @Override
        public Tokens takeTokens(String target, RateLimit rate, int wanted, Optional<TargetState.Bucket> seen, Instant now) {
            return new Tokens.Unavailable("no target state table is configured");
        }

        @Override
        public Write returnTokens(String target, RateLimit rate, int n) {
            return new Write.Done();
        }

        @Override
        public Write hold(String target, Instant until, String reason) {
            return new Write.Done();
        }

        @Override
        public Write pause(String target, Optional<Instant> until, String reason, String by) {
            return new Write.Unavailable("no target state table is configured");
        }

        @Override
        public Write resume(String target) {
            return new Write.Unavailable("no target state table is configured");
        }

        @Override
        public boolean enabled() {
            return false;
        }
    };

    /** The states of these targets, as one read; a target never written reads as {@link TargetState#fresh}. */
    Read read(Set<String> targets);

    /** One more retryable failure in a row; answers the count after it. */
    Counted countFailure(String target);

    /** The count back to zero after the provider answered, when it was above zero. */
    Write resetFailures(String target);

    /** Opens the breaker unless it is open already: one invocation wins, the others learn the state. */
    Race open(String target, Instant nextProbeAt, Duration interval);

    /** Takes the probe lease of an open target whose probe time has come, or whose last lease ran out. */
    Race takeProbe(String target, String holder, Instant leaseUntil);

    /** The probe's answer, written by its lease holder only: closed again, or open for {@code interval} more. */
    Write probed(String target, String holder, boolean healthy, Instant nextProbeAt, Duration interval);

    /** Gives the probe back unmade (its job turned out not to need a call). */
    Write releaseProbe(String target, String holder);

    /** Takes up to {@code wanted} tokens from the bucket refilled to {@code now}; {@code seen} is the bucket as last read. */
    Tokens takeTokens(String target, RateLimit rate, int wanted, Optional<TargetState.Bucket> seen, Instant now);

    /** Hands back tokens taken and not used (each worth 1/rate of the bucket's time). */
    Write returnTokens(String target, RateLimit rate, int n);

    /** Holds every call to the target until {@code until}: extends a shorter hold, never shortens one. */
    Write hold(String target, Instant until, String reason);

    /** An operator's pause, until a time or (empty) until resumed; {@code by} says who. */
    Write pause(String target, Optional<Instant> until, String reason, String by);

    Write resume(String target);

    boolean enabled();

    sealed interface Read {
        record Found(Map<String, TargetState> states) implements Read {
            public Found {
                states = Map.copyOf(states);
            }
        }

        record Unavailable(String reason) implements Read {}
    }

    sealed interface Counted {
        record Count(int failures) implements Counted {}

        record Unavailable(String reason) implements Counted {}
    }

    /** A race's result: this invocation won it, or another had, and {@code now} is what it wrote. */
    sealed interface Race {
        record Won(TargetState now) implements Race {}

        record Lost(TargetState now) implements Race {}

        record Unavailable(String reason) implements Race {}
    }

    sealed interface Tokens {
        /** {@code granted} tokens (maybe none), and the bucket as it was left. */
        record Granted(int granted, TargetState.Bucket left) implements Tokens {}

        record Unavailable(String reason) implements Tokens {}
    }

    sealed interface Write {
        record Done() implements Write {}

        /** Not written: the state had moved on (another invocation's probe, say). */
        record Stale() implements Write {}

        record Unavailable(String reason) implements Write {}
    }
}
