package dev.errand.core.auth;

import dev.errand.core.target.Target;
import java.util.Map;

/** Puts a target's credentials on its calls, and keeps them out of everything else. */
public interface Authenticator {

    /** The headers that authenticate a call to this target, or why they cannot be made now. */
    Credentials credentials(Target target);

    /**
     * After a 401 to a call made with {@code sent} headers: reads the secret again; true when the headers it
     * makes now differ from those sent, so the next attempt may succeed.
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

        record Unavailable(String reason) implements Credentials {}
    }
}
