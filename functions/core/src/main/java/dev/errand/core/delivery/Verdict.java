package dev.errand.core.delivery;

import java.time.Duration;
import java.util.Optional;

/** What a call's result means, before retry limits are applied. */
public sealed interface Verdict {

    record Success(int status) implements Verdict {}

    /** Worth trying again later; {@code retryAfter} is the provider's own request, when it made one. */
    record Transient(String reason, Optional<Duration> retryAfter, Optional<Integer> status) implements Verdict {}

    /** Trying again cannot help. */
    record Permanent(String reason, Optional<Integer> status) implements Verdict {}
}
