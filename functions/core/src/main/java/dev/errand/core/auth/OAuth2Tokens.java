package dev.errand.core.auth;

import dev.errand.core.auth.Authenticator.Credentials;
import dev.errand.core.json.Json;
import dev.errand.core.target.Auth;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * OAuth 2.0 client-credentials tokens (RFC 6749 section 4.4), one per client: fetched by one caller at a time
 * (the rest wait for its answer), kept until {@link #EXPIRY_MARGIN} before they expire, dropped after a
 * 401. A token endpoint that fails is "unavailable"; its failure is kept {@link #FAILURE_TTL} so a batch of
 * 1,000 records asks it once. Tokens and the client secret never appear in a reason.
 */
final class OAuth2Tokens {

    /** Refreshed this long before {@code expires_in} runs out, so no call leaves with a token about to lapse. */
    static final Duration EXPIRY_MARGIN = Duration.ofSeconds(60);
    /** {@code expires_in} is only recommended (RFC 6749 5.1): without it a token is kept 5 min, and a 401 renews it sooner. */
    static final Duration UNSTATED_LIFETIME = Duration.ofMinutes(5);
    /** A failed fetch is not repeated for 5 s: one request per batch, and a job put off comes back later than that. */
    static final Duration FAILURE_TTL = Duration.ofSeconds(5);
    /** A token endpoint that has not answered in 5 s is failing; the job is put off rather than held. */
    static final Duration TIMEOUT = Duration.ofSeconds(5);
    /** A token response is a small JSON object; anything larger is not one. */
    static final int MAX_RESPONSE_BYTES = 64 * 1024;
    /** How much of a token endpoint's error description goes into a reason. */
    static final int ERROR_CHARS = 200;

    /** Who the token is for: targets with the same endpoint, client and scope share one. */
    private record Client(String tokenUrl, String clientId, Optional<String> scope) {}

    private sealed interface Held {
        record Token(String value, Instant refreshAt) implements Held {
            @Override
            public String toString() {
                return "Token[***]";
            }
        }

        record Failed(Credentials failure, Instant until) implements Held {}
    }

    private final Supplier<HttpClient> http;
    private final Clock clock;
    private final Consumer<String> sensitive;
    private final Map<Client, Held> held = new ConcurrentHashMap<>();
    private final SingleFlight<Client, Credentials> fetches = new SingleFlight<>();

    /** @param sensitive told every token, so the authenticator can redact it */
    OAuth2Tokens(Supplier<HttpClient> http, Clock clock, Consumer<String> sensitive) {
        this.http = http;
        this.clock = clock;
        this.sensitive = sensitive;
    }

    /** The bearer header for this client, fetching a token when none is held; {@code secret} reads the client secret. */
    Credentials credentials(Auth.OAuth2 auth, Supplier<SecretSource.SecretValue> secret) {
        Client client = client(auth);
        Optional<Credentials> current = current(client);
        return current.orElseGet(() -> fetches.run(client, () -> current(client).orElseGet(() -> fetch(auth, client, secret))));
    }

    /** After a 401 sent with {@code sentToken}: drops that token and fetches another; true unless the new one is the same. */
    boolean renewAfterUnauthorized(Auth.OAuth2 auth, String sentToken, Supplier<SecretSource.SecretValue> secret) {
        Client client = client(auth);
        held.computeIfPresent(client, (c, h) -> h instanceof Held.Token t && t.value().equals(sentToken) ? null : h);
        return !(credentials(auth, secret) instanceof Credentials.Ready ready)
                || !ready.headers().get("Authorization").equals(bearer(sentToken));
    }

    private Optional<Credentials> current(Client client) {
        Instant now = clock.instant();
        return switch (held.get(client)) {
            case null -> Optional.empty();
            case Held.Token t when now.isBefore(t.refreshAt()) -> Optional.of(new Credentials.Ready(Map.of("Authorization", bearer(t.value()))));
            case Held.Token t -> Optional.empty();
            case Held.Failed f when now.isBefore(f.until()) -> Optional.of(f.failure());
            case Held.Failed f -> Optional.empty();
        };
    }

    private Credentials fetch(Auth.OAuth2 auth, Client client, Supplier<SecretSource.SecretValue> secret) {
        Credentials answer = switch (secret.get()) {
            case SecretSource.SecretValue.Refused r -> new Credentials.Refused(r.reason());
            case SecretSource.SecretValue.Unavailable u -> new Credentials.Unavailable(u.reason());
            case SecretSource.SecretValue.Found found -> ask(auth, found.value());
        };
        Instant now = clock.instant();
        if (answer instanceof Credentials.Ready) {
            return answer;
        }
        held.put(client, new Held.Failed(answer, now.plus(FAILURE_TTL)));
        return answer;
    }

    /** One token request; keeps the token it gets. */
    private Credentials ask(Auth.OAuth2 auth, String clientSecret) {
        String where = "the token endpoint " + auth.tokenUrl();
        HttpResponse<InputStream> response;
        try {
            response = http.get().send(request(auth, clientSecret), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            return new Credentials.Unavailable(where + " could not be reached: " + Optional.ofNullable(e.getMessage()).orElse(e.getClass().getSimpleName()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Credentials.Unavailable(where + ": interrupted");
        }
        String body;
        try (InputStream in = response.body()) {
            body = new String(in.readNBytes(MAX_RESPONSE_BYTES), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return new Credentials.Unavailable(where + " broke off its answer: " + e.getMessage());
        }
        Map<?, ?> fields = Json.parse(body) instanceof Json.Parsed.Value v && v.value() instanceof Map<?, ?> m ? m : Map.of();
        if (response.statusCode() != 200) {
            return new Credentials.Unavailable(where + " answered HTTP " + response.statusCode() + error(fields));
        }
        if (!(fields.get("access_token") instanceof String token) || token.isEmpty()) {
            return new Credentials.Unavailable(where + " answered 200 without an access_token");
        }
        if (!(fields.get("token_type") instanceof String type) || !type.toLowerCase(Locale.ROOT).equals("bearer")) {
            return new Credentials.Unavailable(where + " answered a token_type other than Bearer: " + fields.get("token_type"));
        }
        sensitive.accept(token);
        Instant now = clock.instant();
        OptionalLong expiresIn = Json.integer(fields.get("expires_in"));
        Duration lifetime = expiresIn.isPresent() ? Duration.ofSeconds(Math.max(0, expiresIn.getAsLong())) : UNSTATED_LIFETIME;
        // a token that lives less than twice the margin is kept half its life instead
        Duration kept = lifetime.compareTo(EXPIRY_MARGIN.multipliedBy(2)) >= 0 ? lifetime.minus(EXPIRY_MARGIN) : lifetime.dividedBy(2);
        held.put(client(auth), new Held.Token(token, now.plus(kept)));
        return new Credentials.Ready(Map.of("Authorization", bearer(token)));
    }

    private static HttpRequest request(Auth.OAuth2 auth, String clientSecret) {
        StringBuilder form = new StringBuilder("grant_type=client_credentials");
        auth.scope().ifPresent(s -> form.append("&scope=").append(encode(s)));
        HttpRequest.Builder builder = HttpRequest.newBuilder(auth.tokenUrl()).timeout(TIMEOUT)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json");
        switch (auth.clientAuth()) {
            case BASIC -> builder.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    (encode(auth.clientId()) + ":" + encode(clientSecret)).getBytes(StandardCharsets.UTF_8)));
            case POST -> form.append("&client_id=").append(encode(auth.clientId())).append("&client_secret=").append(encode(clientSecret));
        }
        return builder.POST(HttpRequest.BodyPublishers.ofString(form.toString())).build();
    }

    /** RFC 6749 5.2's {@code error} and {@code error_description}, cut short; nothing else of the body. */
    private static String error(Map<?, ?> fields) {
        String error = fields.get("error") instanceof String e ? e : "";
        String description = fields.get("error_description") instanceof String d ? d : "";
        String text = (error + (description.isEmpty() ? "" : " (" + description + ")")).strip();
        return text.isEmpty() ? "" : ": " + (text.length() > ERROR_CHARS ? text.substring(0, ERROR_CHARS) + "…" : text);
    }

    private static Client client(Auth.OAuth2 auth) {
        return new Client(auth.tokenUrl().toString(), auth.clientId(), auth.scope());
    }

    static String bearer(String token) {
        return "Bearer " + token;
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }
}
