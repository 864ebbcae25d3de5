package dev.errand.core.target;

import dev.errand.core.json.Json;
import dev.errand.core.validation.HeaderRules;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The configured targets, read from the targets document:
 * {@code {"targets": {"<name>": {"baseUrl": "https://...", "timeoutMs": 10000, ...}}}}.
 */
public final class Targets implements TargetDirectory {

    /** A provider that has not answered in 10 s is better retried later than waited on. */
    public static final int DEFAULT_TIMEOUT_MS = 10_000;
    /** Lambda's own limit is 15 minutes: no call can usefully take longer. */
    public static final int MAX_TIMEOUT_MS = 900_000;
    /** Calls in flight to one target within one invocation, unless the target says otherwise. */
    public static final int DEFAULT_MAX_CONCURRENCY = 50;
    /** A batch holds at most 10,000 records; more in flight than 1,000 only queues inside the HTTP client. */
    public static final int MAX_CONCURRENCY = 1_000;
    /** Five failures in a row is an outage, not bad luck; stop calling for the rest of the invocation. */
    public static final int DEFAULT_BREAKER_THRESHOLD = 5;
    public static final int MAX_BREAKER_THRESHOLD = 100;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    private static final List<String> TARGET_FIELDS =
            List.of("baseUrl", "timeoutMs", "maxConcurrency", "breakerThreshold", "allowInsecure", "auth", "httpVersion", "signing",
                    "ratePerSecond", "burst");
    /** Cloud Tasks' ceiling per queue; a provider that takes more needs no rate limit from us. */
    public static final double MAX_RATE_PER_SECOND = 500;
    /** A burst above ten thousand calls is no limit at all. */
    public static final int MAX_BURST = 10_000;
    private static final List<String> AUTH_TYPES = List.of("none", "bearer", "header", "basic", "oauth2");
    /** A receiver rotates by adding a key before removing the old; more than a few at once is a mistake. */
    public static final int MAX_SIGNING_SECRETS = 5;
    /** The headers a signing target sets on every call (Standard Webhooks), which a job may not set. */
    public static final Set<String> SIGNING_HEADERS = Set.of("webhook-id", "webhook-timestamp", "webhook-signature");
    /** Only this many names are listed when a job names an unknown target. */
    private static final int NAMES_SHOWN = 20;

    private final Map<String, Target> byName;

    public Targets(Map<String, Target> byName) {
        this.byName = Collections.unmodifiableMap(new TreeMap<>(byName));
    }

    /** The result of reading a targets document. */
    public sealed interface Loaded {
        record Ok(Targets targets) implements Loaded {}

        record Invalid(List<String> problems) implements Loaded {}
    }

    public static Loaded parse(String document) {
        return switch (Json.parse(document)) {
            case Json.Parsed.Malformed m -> new Loaded.Invalid(List.of("the targets document is not JSON: " + m.detail()));
            case Json.Parsed.Value v -> fromTree(v.value());
        };
    }

    public Optional<Target> get(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public Map<String, Target> all() {
        return byName;
    }

    @Override
    public Optional<String> refuse(String name) {
        if (byName.containsKey(name)) {
            return Optional.empty();
        }
        List<String> names = byName.keySet().stream().limit(NAMES_SHOWN).toList();
        return Optional.of("'" + name + "' is not a configured target"
                + (names.isEmpty() ? "; no targets are configured" : "; configured targets: " + String.join(", ", names)));
    }

    @Override
    public Set<String> reservedHeaders(String name) {
        Optional<Target> target = get(name);
        Set<String> reserved = new java.util.TreeSet<>();
        target.map(Target::auth)
                .filter(Auth.ApiKeyHeader.class::isInstance)
                .ifPresent(a -> reserved.add(((Auth.ApiKeyHeader) a).header().toLowerCase(Locale.ROOT)));
        target.filter(t -> t.signing().enabled()).ifPresent(t -> reserved.addAll(SIGNING_HEADERS));
        return Set.copyOf(reserved);
    }

    private static Loaded fromTree(Object tree) {
        if (!(tree instanceof Map<?, ?> root) || !(root.get("targets") instanceof Map<?, ?> targets)) {
            return new Loaded.Invalid(List.of("the targets document must be an object with a \"targets\" object"));
        }
        List<String> problems = new ArrayList<>();
        Map<String, Target> byName = new TreeMap<>();
        targets.forEach((key, value) -> {
            String name = String.valueOf(key);
            if (!NAME.matcher(name).matches()) {
                problems.add("target name '" + name + "' must be 1 to 64 letters, digits, '_', '.' or '-', starting with a letter or digit");
            } else if (!(value instanceof Map<?, ?> fields)) {
                problems.add("targets." + name + " must be an object");
            } else {
                new TargetReader(name, fields, problems).read().ifPresent(t -> byName.put(name, t));
            }
        });
        return problems.isEmpty() ? new Loaded.Ok(new Targets(byName)) : new Loaded.Invalid(List.copyOf(problems));
    }

    /** Reads one target's fields, adding each problem found with the field's full name. */
    private record TargetReader(String name, Map<?, ?> fields, List<String> problems) {

        Optional<Target> read() {
            int before = problems.size();
            fields.keySet().stream()
                    .map(String::valueOf)
                    .filter(k -> !TARGET_FIELDS.contains(k))
                    .sorted()
                    .forEach(k -> problem(k, "is not a known field (known: " + String.join(", ", TARGET_FIELDS) + ")"));
            boolean allowInsecure = bool("allowInsecure");
            Optional<URI> baseUrl = baseUrl(allowInsecure);
            int timeoutMs = number("timeoutMs", DEFAULT_TIMEOUT_MS, 1, MAX_TIMEOUT_MS);
            int maxConcurrency = number("maxConcurrency", DEFAULT_MAX_CONCURRENCY, 1, MAX_CONCURRENCY);
            int breaker = number("breakerThreshold", DEFAULT_BREAKER_THRESHOLD, 1, MAX_BREAKER_THRESHOLD);
            Optional<Auth> auth = auth(allowInsecure);
            Optional<RateLimit> rate = rateLimit();
            HttpVersion httpVersion = httpVersion();
            Signing signing = signing();
            if (problems.size() > before || baseUrl.isEmpty() || auth.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(new Target(name, baseUrl.get(), Duration.ofMillis(timeoutMs), maxConcurrency, breaker,
                    allowInsecure, auth.get(), rate, httpVersion, signing));
        }

        private Optional<URI> baseUrl(boolean allowInsecure) {
            return url(fields, "baseUrl", "baseUrl", allowInsecure);
        }

        /** A URL Errand calls (the base URL, an OAuth2 token URL): https unless allowed, no user info, query or fragment. */
        private Optional<URI> url(Map<?, ?> holder, String key, String field, boolean allowInsecure) {
            if (!(holder.get(key) instanceof String text)) {
                problem(field, "is required and must be a string such as \"https://api.example.com/v1\"");
                return Optional.empty();
            }
            URI uri;
            try {
                // a base URL is joined to paths that start with '/'; any other URL is called as given
                uri = new URI(key.equals("baseUrl") && text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
            } catch (URISyntaxException e) {
                problem(field, "is not a URL: " + e.getMessage());
                return Optional.empty();
            }
            String scheme = Optional.ofNullable(uri.getScheme()).orElse("").toLowerCase(Locale.ROOT);
            if (!scheme.equals("https") && !scheme.equals("http") || uri.getHost() == null) {
                problem(field, "must be an absolute http(s) URL with a host");
            } else if (scheme.equals("http") && !allowInsecure) {
                problem(field, "must use https; set \"allowInsecure\": true to allow http (local demos only)");
            } else if (uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null) {
                problem(field, "must not hold user information, a query or a fragment");
            } else {
                return Optional.of(uri);
            }
            return Optional.empty();
        }

        private int number(String field, int fallback, int min, int max) {
            Object value = fields.get(field);
            if (!fields.containsKey(field)) {
                return fallback;
            }
            var n = Json.integer(value);
            if (n.isEmpty() || n.getAsLong() < min || n.getAsLong() > max) {
                problem(field, "must be a whole number from " + min + " to " + max);
                return fallback;
            }
            return (int) n.getAsLong();
        }

        /** {@code ratePerSecond} and {@code burst} come together: a rate needs a bucket size, a bucket needs a rate. */
        private Optional<RateLimit> rateLimit() {
            boolean hasRate = fields.containsKey("ratePerSecond");
            boolean hasBurst = fields.containsKey("burst");
            if (!hasRate && !hasBurst) {
                return Optional.empty();
            }
            Object rateValue = fields.get("ratePerSecond");
            double rate = rateValue instanceof Number n ? n.doubleValue() : Double.NaN;
            boolean rateOk = hasRate && rate > 0 && rate <= MAX_RATE_PER_SECOND;
            if (hasRate && !rateOk) {
                problem("ratePerSecond", "must be a number above 0 and at most " + (int) MAX_RATE_PER_SECOND + " (calls a second, fleet-wide)");
            }
            if (!hasRate) {
                problem("burst", "needs ratePerSecond: a burst is the size of a rate limit's bucket");
            }
            var burst = Json.integer(fields.get("burst"));
            boolean burstOk = hasBurst && burst.isPresent() && burst.getAsLong() >= 1 && burst.getAsLong() <= MAX_BURST;
            if (hasBurst && !burstOk) {
                problem("burst", "must be a whole number from 1 to " + MAX_BURST + " (calls that may go at once)");
            }
            if (hasRate && !hasBurst) {
                problem("ratePerSecond", "needs a burst (the most calls that may go at once), such as \"burst\": " + Math.max(1, (long) Math.ceil(rate)));
            }
            return rateOk && burstOk ? Optional.of(new RateLimit(rate, (int) burst.getAsLong())) : Optional.empty();
        }

        private boolean bool(String field) {
            Object value = fields.get(field);
            if (fields.containsKey(field) && !(value instanceof Boolean)) {
                problem(field, "must be true or false");
            }
            return Boolean.TRUE.equals(value);
        }

        private Optional<Auth> auth(boolean allowInsecure) {
            if (!fields.containsKey("auth")) {
                return Optional.of(Auth.NONE);
            }
            if (!(fields.get("auth") instanceof Map<?, ?> auth) || !(auth.get("type") instanceof String type)) {
                problem("auth", "must be an object with a \"type\": " + String.join(", ", AUTH_TYPES));
                return Optional.empty();
            }
            return switch (type) {
                case "none" -> Optional.of(Auth.NONE);
                case "bearer" -> secret(auth).map(Auth.Bearer::new);
                case "header" -> headerName(auth).flatMap(h -> secret(auth).map(s -> new Auth.ApiKeyHeader(h, s)));
                case "basic" -> text(auth, "username").flatMap(u -> secret(auth).map(s -> new Auth.Basic(u, s)));
                case "oauth2" -> oauth2(auth, allowInsecure);
                default -> {
                    problem("auth.type", "must be " + String.join(", ", AUTH_TYPES) + ", was '" + type + "'");
                    yield Optional.empty();
                }
            };
        }

        private Optional<Auth> oauth2(Map<?, ?> auth, boolean allowInsecure) {
            Optional<URI> tokenUrl = url(auth, "tokenUrl", "auth.tokenUrl", allowInsecure);
            Optional<String> clientId = text(auth, "clientId");
            Optional<SecretRef> secret = secret(auth);
            Optional<String> scope = Optional.empty();
            if (auth.containsKey("scope")) {
                scope = auth.get("scope") instanceof String s && !s.isBlank() ? Optional.of(s) : Optional.empty();
                if (scope.isEmpty()) {
                    problem("auth.scope", "must be a non-empty string of space-separated scopes");
                }
            }
            Auth.ClientAuth clientAuth = Auth.ClientAuth.BASIC;
            if (auth.containsKey("clientAuth")) {
                Object value = auth.get("clientAuth");
                if ("post".equals(value)) {
                    clientAuth = Auth.ClientAuth.POST;
                } else if (!"basic".equals(value)) {
                    problem("auth.clientAuth", "must be \"basic\" (the default) or \"post\"");
                }
            }
            if (tokenUrl.isEmpty() || clientId.isEmpty() || secret.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(new Auth.OAuth2(tokenUrl.get(), clientId.get(), secret.get(), scope, clientAuth));
        }

        private HttpVersion httpVersion() {
            if (!fields.containsKey("httpVersion")) {
                return HttpVersion.AUTO;
            }
            for (HttpVersion v : HttpVersion.values()) {
                if (v.wire().equals(fields.get("httpVersion"))) {
                    return v;
                }
            }
            problem("httpVersion", "must be \"auto\" (HTTP/2 when the provider offers it) or \"1.1\"");
            return HttpVersion.AUTO;
        }

        private Signing signing() {
            if (!fields.containsKey("signing")) {
                return Signing.NONE;
            }
            if (!(fields.get("signing") instanceof Map<?, ?> signing) || !(signing.get("secrets") instanceof List<?> secrets)
                    || secrets.isEmpty() || secrets.size() > MAX_SIGNING_SECRETS || !signing.keySet().equals(Set.of("secrets"))) {
                problem("signing", "must be {\"secrets\": [1 to " + MAX_SIGNING_SECRETS
                        + " references such as \"secretsmanager:errand/webhook-key\"]}");
                return Signing.NONE;
            }
            List<SecretRef> refs = new ArrayList<>();
            for (int i = 0; i < secrets.size(); i++) {
                Optional<SecretRef> ref = secrets.get(i) instanceof String s ? SecretRef.parse(s) : Optional.empty();
                ref.ifPresent(refs::add);
                if (ref.isEmpty()) {
                    problem("signing.secrets", "must hold only references such as \"secretsmanager:errand/webhook-key\", never the secret itself");
                    return Signing.NONE;
                }
            }
            return new Signing(refs);
        }

        private Optional<SecretRef> secret(Map<?, ?> auth) {
            Optional<SecretRef> ref = auth.get("secret") instanceof String s ? SecretRef.parse(s) : Optional.empty();
            if (ref.isEmpty()) {
                problem("auth.secret", "must be a reference such as \"ssm:/errand/crm-token\" or \"secretsmanager:crm-token\", never the secret itself");
            }
            return ref;
        }

        private Optional<String> headerName(Map<?, ?> auth) {
            Optional<String> header = text(auth, "header");
            Optional<String> problem = header.flatMap(HeaderRules::nameProblem);
            problem.ifPresent(p -> problem("auth.header", p));
            return problem.isEmpty() ? header : Optional.empty();
        }

        private Optional<String> text(Map<?, ?> auth, String field) {
            if (auth.get(field) instanceof String s && !s.isBlank()) {
                return Optional.of(s);
            }
            problem("auth." + field, "is required for this auth type and must be a non-empty string");
            return Optional.empty();
        }

        private void problem(String field, String detail) {
            problems.add("targets." + name + "." + field + " " + detail);
        }
    }
}
