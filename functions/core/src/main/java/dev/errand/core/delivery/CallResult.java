package dev.errand.core.delivery;

import java.time.Duration;
import java.util.Optional;

/** What happened on the wire when a provider was called. */
public sealed interface CallResult {

    Duration latency();

    /**
     * The provider answered. {@code bodyPrefix} holds the first bytes of its body, for logs and dead-letter
     * reasons; {@code rate} what it said of its rate limit.
     */
    record Responded(int status, Optional<String> retryAfter, String bodyPrefix, Duration latency, RateHints rate)
            implements CallResult {
        public Responded(int status, Optional<String> retryAfter, String bodyPrefix, Duration latency) {
            this(status, retryAfter, bodyPrefix, latency, RateHints.NONE);
        }
    }

    /**
     * A provider's rate-limit headers, as sent: {@code RateLimit-Remaining} / {@code X-RateLimit-Remaining}
     * and {@code RateLimit-Reset} / {@code X-RateLimit-Reset} (seconds from now, or a Unix time).
     */
    record RateHints(Optional<String> remaining, Optional<String> reset) {
        public static final RateHints NONE = new RateHints(Optional.empty(), Optional.empty());
    }

    /** No answer came back. */
    record NoResponse(Failure failure, String detail, Duration latency) implements CallResult {}

    /**
     * Our own client never sent the request: it waited too long for a connection of its own (the bound on
     * handshakes, a full HTTP/2 connection). The provider saw nothing, so this is not its failure.
     */
    record NotSent(String detail, Duration latency) implements CallResult {}

    enum Failure {
        /** No answer within the call's timeout (connect or response). */
        TIMEOUT,
        /** Nothing listens there, or the host cannot be reached. */
        CONNECTION_REFUSED,
        /** The connection broke mid-exchange; the provider may or may not have acted. */
        CONNECTION_RESET,
        /** Any other network failure. */
        NETWORK,
        /** The HTTP client would not send the request at all; sending it again cannot help. */
        UNSENDABLE
    }
}
