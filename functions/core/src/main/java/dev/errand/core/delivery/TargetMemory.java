package dev.errand.core.delivery;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What this warm function last heard from each target, kept across invocations. A target whose last call
 * was answered (a success or a permanent refusal) moments ago is trusted by the next batch: its first wave
 * is its {@code maxConcurrency}, as in the batch before, instead of a probe of {@code breakerThreshold}
 * calls that makes every batch larger than the threshold wait one extra provider latency.
 */
final class TargetMemory {

    /** Batches of a busy queue follow each other within seconds; after a quiet spell the first wave probes again. */
    static final Duration TRUSTED_FOR = Duration.ofSeconds(30);

    private record Heard(Instant at, boolean answered) {}

    private final Map<String, Heard> lastHeard = new ConcurrentHashMap<>();

    /** Whether the target's last call, less than {@link #TRUSTED_FOR} before {@code now}, was answered. */
    boolean trusted(String target, Instant now) {
        return Optional.ofNullable(lastHeard.get(target))
                .filter(Heard::answered)
                .filter(h -> now.isBefore(h.at().plus(TRUSTED_FOR)))
                .isPresent();
    }

    /** Remembers how the target's latest call went; a retryable failure ends the trust at once. */
    void heard(String target, Verdict verdict, Instant now) {
        boolean answered = switch (verdict) {
            case Verdict.Success s -> true;
            case Verdict.Permanent p -> true;
            case Verdict.Transient t -> false;
        };
        lastHeard.put(target, new Heard(now, answered));
    }
}
