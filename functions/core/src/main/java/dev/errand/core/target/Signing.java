package dev.errand.core.target;

import java.util.List;

/**
 * Standard Webhooks signing: every call carries {@code webhook-id}, {@code webhook-timestamp} and one
 * {@code v1,<signature>} per secret in {@code webhook-signature}, so a receiver can rotate its key. The
 * secrets are references to values of the form {@code whsec_<base64 key>}.
 */
public record Signing(List<SecretRef> secrets) {

    public static final Signing NONE = new Signing(List.of());

    public Signing {
        secrets = List.copyOf(secrets);
    }

    public boolean enabled() {
        return !secrets.isEmpty();
    }
}
