package dev.errand.core.target;

import java.net.URI;
import java.util.Optional;

/** How Errand authenticates to a target. The secret is a reference, resolved and cached at call time. */
public sealed interface Auth {

    record None() implements Auth {}

    /** {@code Authorization: Bearer <secret>}. */
    record Bearer(SecretRef token) implements Auth {}

    /** An API key in a header the provider names, e.g. {@code X-Api-Key: <secret>}. */
    record ApiKeyHeader(String header, SecretRef key) implements Auth {}

    /** {@code Authorization: Basic base64(username:secret)}. */
    record Basic(String username, SecretRef password) implements Auth {}

    /**
     * OAuth 2.0 client credentials (RFC 6749 section 4.4): a token from {@code tokenUrl}, bought with the
     * client id and the client secret (a reference), sent as {@code Authorization: Bearer <token>}.
     */
    record OAuth2(URI tokenUrl, String clientId, SecretRef clientSecret, Optional<String> scope, ClientAuth clientAuth)
            implements Auth {}

    /** How the client id and secret travel to the token endpoint (RFC 6749 section 2.3.1). */
    enum ClientAuth {
        /** HTTP Basic with the form-encoded id and secret: the one every server must support. */
        BASIC,
        /** {@code client_id} and {@code client_secret} in the form body, for servers that want them there. */
        POST
    }

    Auth NONE = new None();
}
