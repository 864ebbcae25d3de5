package dev.errand.core.auth;

import dev.errand.core.target.SecretRef;

/** Reads a secret's current value from where it lives (SSM Parameter Store, Secrets Manager). */
public interface SecretSource {

    SecretValue read(SecretRef ref);

    /** A secret, or why it could not be read; the reason never holds the value. */
    sealed interface SecretValue {
        record Found(String value) implements SecretValue {
            @Override
            public String toString() {
                return "Found[***]";
            }
        }

        record Unavailable(String reason) implements SecretValue {}
    }

    /** For deployments without authenticated targets: every read fails, naming the reference. */
    SecretSource NONE = ref -> new SecretValue.Unavailable("no secret store is configured to read " + ref);
}
