package dev.errand.core.target;

import java.util.Optional;

/**
 * Where a target's secret lives: {@code ssm:/path} (a SecureString parameter) or {@code secretsmanager:name}.
 * Only the reference is ever configured, logged or shown; the value is read at call time.
 */
public record SecretRef(Store store, String name) {

    public enum Store {
        SSM("ssm:"), SECRETS_MANAGER("secretsmanager:");

        private final String prefix;

        Store(String prefix) {
            this.prefix = prefix;
        }
    }

    public static Optional<SecretRef> parse(String text) {
        for (Store store : Store.values()) {
            if (text.startsWith(store.prefix) && text.length() > store.prefix.length()) {
                return Optional.of(new SecretRef(store, text.substring(store.prefix.length())));
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return store.prefix + name;
    }
}
