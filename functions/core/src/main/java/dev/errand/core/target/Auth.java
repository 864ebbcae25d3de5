package dev.errand.core.target;

/** How Errand authenticates to a target. The secret is a reference, resolved and cached at call time. */
public sealed interface Auth {

    record None() implements Auth {}

    /** {@code Authorization: Bearer <secret>}. */
    record Bearer(SecretRef token) implements Auth {}

    /** An API key in a header the provider names, e.g. {@code X-Api-Key: <secret>}. */
    record ApiKeyHeader(String header, SecretRef key) implements Auth {}

    /** {@code Authorization: Basic base64(username:secret)}. */
    record Basic(String username, SecretRef password) implements Auth {}

    Auth NONE = new None();
}
