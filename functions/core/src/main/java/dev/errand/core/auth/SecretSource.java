package dev.errand.core.auth;

import dev.errand.core.target.SecretRef;

/** Reads a secret's current value from where it lives (SSM Parameter Store, Secrets Manager). */
public interface SecretSource {

    SecretValue read(SecretRef ref);

    /** A secret, or why it could not be read; a reason names the reference, never the value. */
    sealed interface SecretValue {
        record Found(String value) implements SecretValue {
            @Override
            public String toString() {
                return "Found[***]";
            }
        }

        /** Could not be read now (throttled, the service unreachable): reading again later may work. */
        record Unavailable(String reason) implements SecretValue {}

        /** Can never be read as configured (no such secret, access denied): reading again cannot help until someone acts. */
        record Refused(String reason) implements SecretValue {}
    }

    /** For deployments without authenticated targets: every read fails, naming the reference. */
    SecretSource NONE = ref -> new SecretValue.Refused("no secret store is configured to read " + ref);
}
