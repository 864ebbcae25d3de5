package dev.errand.core.auth;

import dev.errand.core.auth.SecretSource.SecretValue;
import dev.errand.core.target.Auth;
import dev.errand.core.target.SecretRef;
import dev.errand.core.target.Target;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Resolves each target's secret once per container and caches it; after a 401 it reads the secret again,
 * so a rotated secret is picked up without a redeploy. Values never leave except in the auth header.
 */
public final class SecretAuthenticator implements Authenticator {

    private static final String REDACTED = "***";
    /** Shorter tails are too common to be told from ordinary text. */
    private static final int MIN_TAIL = 4;

    private final SecretSource source;
    private final Map<SecretRef, String> cache = new ConcurrentHashMap<>();
    /** Every secret value seen and every header value made from one, for {@link #redact}. */
    private final Set<String> sensitive = ConcurrentHashMap.newKeySet();

    public SecretAuthenticator(SecretSource source) {
        this.source = source;
    }

    @Override
    public Credentials credentials(Target target) {
        return switch (target.auth()) {
            case Auth.None n -> new Credentials.Ready(Map.of());
            case Auth.Bearer b -> secret(b.token()).map(v -> header("Authorization", "Bearer " + v));
            case Auth.ApiKeyHeader h -> secret(h.key()).map(v -> header(h.header(), v));
            case Auth.Basic b -> secret(b.password()).map(v -> header("Authorization", "Basic " + remember(basic(b.username(), v))));
        };
    }

    @Override
    public boolean refreshAfterUnauthorized(Target target, Map<String, String> sent) {
        Optional<SecretRef> ref = secretOf(target.auth());
        if (ref.isEmpty()) {
            return false;
        }
        if (source.read(ref.get()) instanceof SecretValue.Found found) {
            cache.put(ref.get(), remember(found.value()));
        }
        // compared with what this call sent, not with the cache: a concurrent 401 may have refreshed it already
        return credentials(target) instanceof Credentials.Ready now
                && now.headers().entrySet().stream().anyMatch(h -> !h.getValue().equals(header(sent, h.getKey())));
    }

    private static String header(Map<String, String> headers, String name) {
        return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue)
                .findFirst().orElse("");
    }

    @Override
    public String redact(String text) {
        String redacted = text;
        for (String value : sensitive) {
            if (!value.isEmpty()) {
                redacted = redacted.replace(value, REDACTED);
            }
        }
        return withoutSecretTail(redacted);
    }

    /** Text cut short may end in the first part of a secret: that part goes too. */
    private String withoutSecretTail(String text) {
        for (String value : sensitive) {
            for (int length = Math.min(value.length() - 1, text.length()); length >= MIN_TAIL; length--) {
                if (text.endsWith(value.substring(0, length))) {
                    return text.substring(0, text.length() - length) + REDACTED;
                }
            }
        }
        return text;
    }

    private Lookup secret(SecretRef ref) {
        String cached = cache.get(ref);
        if (cached != null) {
            return new Lookup(Optional.of(cached), "");
        }
        return switch (source.read(ref)) {
            case SecretValue.Found found -> {
                cache.put(ref, remember(found.value()));
                yield new Lookup(Optional.of(found.value()), "");
            }
            case SecretValue.Unavailable u -> new Lookup(Optional.empty(), u.reason());
        };
    }

    private String remember(String value) {
        sensitive.add(value);
        return value;
    }

    private static Optional<SecretRef> secretOf(Auth auth) {
        return switch (auth) {
            case Auth.None n -> Optional.empty();
            case Auth.Bearer b -> Optional.of(b.token());
            case Auth.ApiKeyHeader h -> Optional.of(h.key());
            case Auth.Basic b -> Optional.of(b.password());
        };
    }

    private static Map<String, String> header(String name, String value) {
        return Map.of(name, value);
    }

    private static String basic(String username, String password) {
        return Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** A secret looked up: the value, or why there is none. */
    private record Lookup(Optional<String> value, String reason) {
        Credentials map(java.util.function.Function<String, Map<String, String>> headers) {
            return value.<Credentials>map(v -> new Credentials.Ready(headers.apply(v)))
                    .orElseGet(() -> new Credentials.Unavailable(reason));
        }

        @Override
        public String toString() {
            return "Lookup[" + (value.isPresent() ? "***" : reason) + "]";
        }
    }
}
