package dev.errand.core.auth;

import dev.errand.core.delivery.OutgoingRequest;
import dev.errand.core.target.Target;
import java.time.Instant;
import java.util.Map;

/** Puts a target's credentials (and signature) on its calls, and keeps them out of everything else. */
public interface Authenticator {

    /** The headers that authenticate a call to this target, or why they cannot be made now or ever. */
    Credentials credentials(Target target);

    /**
     * The request with its Standard Webhooks signature headers, when the target signs; signed just before it
     * is sent so the timestamp is the send time. {@link #credentials} has read the signing keys already.
     */
    default OutgoingRequest signed(Target target, String messageId, OutgoingRequest request, Instant at) {
        return request;
    }

    /**
     * After a 401 to a call made with {@code sent} headers: reads the secret (or fetches a token) again; true
     * when the headers it makes now differ from those sent, so the next attempt may succeed.
     */
    boolean refreshAfterUnauthorized(Target target, Map<String, String> sent);

    /** The text with every secret value this authenticator knows replaced by {@code ***}. */
    String redact(String text);

    /** Credentials for one call. */
    sealed interface Credentials {
        record Ready(Map<String, String> headers) implements Credentials {
            public Ready {
                headers = Map.copyOf(headers);
            }

            @Override
            public String toString() {
                return "Ready" + headers.keySet();
            }
        }

        /** Not to be had now (the secret store or the token endpoint failing): the job is put off. */
        record Unavailable(String reason) implements Credentials {}

        /** Not to be had as configured (no such secret, access denied): the job is dead-lettered with the reason. */
        record Refused(String reason) implements Credentials {}
    }
}
