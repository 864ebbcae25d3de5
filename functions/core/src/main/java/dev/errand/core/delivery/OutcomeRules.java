package dev.errand.core.delivery;

import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/** DESIGN.md's outcome table: which results are delivered, worth retrying, or hopeless. */
public final class OutcomeRules {

    /** Request Timeout, Too Early, Too Many Requests: the provider asks us to come back. */
    private static final Set<Integer> RETRYABLE_4XX = Set.of(408, 425, 429);
    /** Not Implemented: the provider will never support this call, so it is not a passing fault. */
    private static final int NOT_IMPLEMENTED = 501;
    /** How much of a failure's body goes into the reason that travels with a dead letter. */
    public static final int REASON_BODY_CHARS = 256;

    private OutcomeRules() {}

    public static Verdict classify(CallResult result, Instant now) {
        return switch (result) {
            case CallResult.Responded r when r.status() >= 200 && r.status() < 300 -> new Verdict.Success(r.status());
            case CallResult.Responded r when r.status() == NOT_IMPLEMENTED ->
                    new Verdict.Permanent(describe(r), Optional.of(r.status()));
            case CallResult.Responded r when r.status() >= 500 || RETRYABLE_4XX.contains(r.status()) ->
                    new Verdict.Transient(describe(r), r.retryAfter().flatMap(v -> RetryAfter.parse(v, now)), Optional.of(r.status()));
            case CallResult.Responded r -> new Verdict.Permanent(describe(r), Optional.of(r.status()));
            case CallResult.NoResponse n when n.failure() == CallResult.Failure.UNSENDABLE ->
                    new Verdict.Permanent("the request could not be sent: " + n.detail(), Optional.empty());
            case CallResult.NoResponse n -> new Verdict.Transient(describe(n), Optional.empty(), Optional.empty());
            case CallResult.NotSent n -> new Verdict.Transient("not sent by our own client: " + n.detail(), Optional.empty(), Optional.empty());
        };
    }

    private static String describe(CallResult.Responded r) {
        String body = r.bodyPrefix().strip();
        String shown = body.length() > REASON_BODY_CHARS ? body.substring(0, REASON_BODY_CHARS) + "…" : body;
        String redirect = r.status() >= 300 && r.status() < 400 ? " (redirects are not followed)" : "";
        return "HTTP " + r.status() + redirect + (shown.isEmpty() ? "" : ": " + shown);
    }

    private static String describe(CallResult.NoResponse n) {
        return switch (n.failure()) {
            case TIMEOUT -> "timed out: " + n.detail();
            case CONNECTION_REFUSED -> "connection refused: " + n.detail();
            case CONNECTION_RESET -> "connection reset: " + n.detail();
            case NETWORK, UNSENDABLE -> "network error: " + n.detail();
        };
    }
}
