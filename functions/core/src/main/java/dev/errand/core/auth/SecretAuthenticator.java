package dev.errand.core.auth;

import dev.errand.core.auth.SecretSource.SecretValue;
import dev.errand.core.delivery.OutgoingRequest;
import dev.errand.core.target.Auth;
import dev.errand.core.target.SecretRef;
import dev.errand.core.target.Target;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Resolves each target's secrets once per container and caches them; after a 401 it reads the secret (or
 * fetches a token) again, so a rotated secret is picked up without a redeploy. Reads of one secret go one
 * at a time (the rest wait for that read), and a failed read is kept briefly, so a batch of 1,000 records
 * makes one SSM call. Values never leave except in the auth and signature headers.
 */
public final class SecretAuthenticator implements Authenticator {

    /** A read that failed for now is not repeated for 5 s: one call per batch, and deferred jobs return later than that. */
    static final Duration UNAVAILABLE_TTL = Duration.ofSeconds(5);
    /**
     * A refused read (no such secret, access denied) is kept a minute: every job of a batch is dead-lettered
     * with one call, and a fix (the parameter created, the grant deployed) is seen within a minute.
     */
    static final Duration REFUSED_TTL = Duration.ofSeconds(60);

    private static final String REDACTED = "***";
    /** Shorter tails are too common to be told from ordinary text. */
    private static final int MIN_TAIL = 4;

    /** A secret as last read: its value (kept until a 401), or a failure kept until {@code until}. */
    private sealed interface Cached {
        record Value(String value) implements Cached {
            @Override
            public String toString() {
                return "Value[***]";
            }
        }

        record Failure(SecretValue failure, Instant until) implements Cached {}
    }

    private final SecretSource source;
    private final Clock clock;
    private final OAuth2Tokens tokens;
    private final Map<SecretRef, Cached> cache = new ConcurrentHashMap<>();
    private final SingleFlight<SecretRef, SecretValue> reads = new SingleFlight<>();
    /** Every secret value seen and every header value made from one, for {@link #redact}. */
    private final Set<String> sensitive = ConcurrentHashMap.newKeySet();

    /** Without OAuth2 token requests: an {@code oauth2} target is refused. */
    public SecretAuthenticator(SecretSource source) {
        this(source, () -> {
            throw new IllegalStateException("this authenticator was made without an HTTP client for OAuth2 token requests");
        }, Clock.systemUTC());
    }

    /** @param http the client for OAuth2 token requests, made on first use (the consumer's own, which never follows redirects) */
    public SecretAuthenticator(SecretSource source, Supplier<HttpClient> http, Clock clock) {
        this.source = source;
        this.clock = clock;
        this.tokens = new OAuth2Tokens(http, clock, sensitive::add);
    }

    @Override
    public Credentials credentials(Target target) {
        Credentials auth = switch (target.auth()) {
            case Auth.None n -> new Credentials.Ready(Map.of());
            case Auth.Bearer b -> secret(b.token(), v -> Map.of("Authorization", "Bearer " + v));
            case Auth.ApiKeyHeader h -> secret(h.key(), v -> Map.of(h.header(), v));
            case Auth.Basic b -> secret(b.password(), v -> Map.of("Authorization", "Basic " + remember(basic(b.username(), v))));
            case Auth.OAuth2 o -> tokens.credentials(o, () -> read(o.clientSecret()));
        };
        // the signing keys are read now, so a job whose keys cannot be had is put off or refused before any call
        return auth instanceof Credentials.Ready ? signingKeys(target).map(k -> auth).orElseGet(() -> keyProblem(target)) : auth;
    }

    @Override
    public OutgoingRequest signed(Target target, String messageId, OutgoingRequest request, Instant at) {
        if (!target.signing().enabled()) {
            return request;
        }
        Optional<List<byte[]>> keys = signingKeys(target);
        if (keys.isEmpty()) {
            return request;
        }
        long timestamp = at.getEpochSecond();
        Map<String, String> headers = new LinkedHashMap<>(request.headers());
        headers.put(WebhookSignature.ID, messageId);
        headers.put(WebhookSignature.TIMESTAMP, String.valueOf(timestamp));
        headers.put(WebhookSignature.SIGNATURE, WebhookSignature.header(keys.get(), messageId, timestamp, request.body().orElse("")));
        return request.withHeaders(headers);
    }

    @Override
    public boolean refreshAfterUnauthorized(Target target, Map<String, String> sent) {
        if (target.auth() instanceof Auth.OAuth2 o) {
            String token = header(sent, "Authorization").replaceFirst("^Bearer ", "");
            return tokens.renewAfterUnauthorized(o, token, () -> read(o.clientSecret()));
        }
        Optional<SecretRef> ref = secretOf(target.auth());
        if (ref.isEmpty()) {
            return false;
        }
        // compared with what this call sent, not with the cache: a concurrent 401 may have refreshed it already
        if (!(credentials(target) instanceof Credentials.Ready before) || !sameAs(before, sent)) {
            return credentials(target) instanceof Credentials.Ready;
        }
        reads.run(ref.get(), () -> {
            SecretValue value = source.read(ref.get());
            if (value instanceof SecretValue.Found found) {
                cache.put(ref.get(), new Cached.Value(remember(found.value())));
            }
            return value;
        });
        return credentials(target) instanceof Credentials.Ready now && !sameAs(now, sent);
    }

    private static boolean sameAs(Credentials.Ready ready, Map<String, String> sent) {
        return ready.headers().entrySet().stream().allMatch(h -> h.getValue().equals(header(sent, h.getKey())));
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

    private Credentials secret(SecretRef ref, java.util.function.Function<String, Map<String, String>> headers) {
        return switch (read(ref)) {
            case SecretValue.Found found -> new Credentials.Ready(headers.apply(found.value()));
            case SecretValue.Unavailable u -> new Credentials.Unavailable(u.reason());
            case SecretValue.Refused r -> new Credentials.Refused(r.reason());
        };
    }

    /** The secret from the cache, or read by one caller at a time; a failure is kept for its TTL. */
    private SecretValue read(SecretRef ref) {
        Optional<SecretValue> cached = cached(ref);
        return cached.orElseGet(() -> reads.run(ref, () -> cached(ref).orElseGet(() -> {
            SecretValue value = source.read(ref);
            Instant now = clock.instant();
            cache.put(ref, switch (value) {
                case SecretValue.Found found -> new Cached.Value(remember(found.value()));
                case SecretValue.Unavailable u -> new Cached.Failure(u, now.plus(UNAVAILABLE_TTL));
                case SecretValue.Refused r -> new Cached.Failure(r, now.plus(REFUSED_TTL));
            });
            return value;
        })));
    }

    private Optional<SecretValue> cached(SecretRef ref) {
        return switch (cache.get(ref)) {
            case null -> Optional.empty();
            case Cached.Value v -> Optional.of(new SecretValue.Found(v.value()));
            case Cached.Failure f when clock.instant().isBefore(f.until()) -> Optional.of(f.failure());
            case Cached.Failure f -> Optional.empty();
        };
    }

    /** Every signing key of the target, or empty when one cannot be read or is not a key. */
    private Optional<List<byte[]>> signingKeys(Target target) {
        List<byte[]> keys = new ArrayList<>();
        for (SecretRef ref : target.signing().secrets()) {
            if (!(read(ref) instanceof SecretValue.Found found)) {
                return Optional.empty();
            }
            Optional<byte[]> key = WebhookSignature.key(found.value());
            if (key.isEmpty()) {
                return Optional.empty();
            }
            keys.add(key.get());
        }
        return Optional.of(List.copyOf(keys));
    }

    /** Why the target's signing keys cannot be had: the first key that failed, by reference. */
    private Credentials keyProblem(Target target) {
        for (SecretRef ref : target.signing().secrets()) {
            switch (read(ref)) {
                case SecretValue.Unavailable u -> {
                    return new Credentials.Unavailable("signing key: " + u.reason());
                }
                case SecretValue.Refused r -> {
                    return new Credentials.Refused("signing key: " + r.reason());
                }
                case SecretValue.Found found when WebhookSignature.key(found.value()).isEmpty() -> {
                    return new Credentials.Refused("signing key " + ref + " is not of the form whsec_<base64>");
                }
                case SecretValue.Found found -> { }
            }
        }
        return new Credentials.Unavailable("signing keys could not be read");
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
            case Auth.OAuth2 o -> Optional.of(o.clientSecret());
        };
    }

    private static String basic(String username, String password) {
        return Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
