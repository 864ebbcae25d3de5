package dev.errand.core.target;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/** A named external API that jobs may call: its base URL and how to treat it. */
public record Target(
        String name,
        URI baseUrl,
        Duration timeout,
        int maxConcurrency,
        int breakerThreshold,
        boolean allowInsecure,
        Auth auth,
        Optional<RateLimit> rateLimit,
        HttpVersion httpVersion,
        Signing signing) {

    /** A target without a rate limit that speaks whatever HTTP version the provider offers and signs nothing. */
    public Target(String name, URI baseUrl, Duration timeout, int maxConcurrency, int breakerThreshold, boolean allowInsecure,
                  Auth auth) {
        this(name, baseUrl, timeout, maxConcurrency, breakerThreshold, allowInsecure, auth, Optional.empty(), HttpVersion.AUTO,
                Signing.NONE);
    }

    /** Every field checked at once, with the rule it breaks: a target that passes cannot stall or misroute a call. */
    public Target {
        java.util.List<String> problems = new java.util.ArrayList<>();
        if (name == null || name.isBlank()) {
            problems.add("name must not be blank");
        }
        if (baseUrl == null || baseUrl.getHost() == null) {
            problems.add("baseUrl must be an absolute URL with a host");
        } else if (!"https".equalsIgnoreCase(baseUrl.getScheme()) && !allowInsecure) {
            problems.add("baseUrl must use https unless allowInsecure is set");
        }
        if (timeout == null || timeout.compareTo(Duration.ofMillis(1)) < 0 || timeout.toMillis() > Targets.MAX_TIMEOUT_MS) {
            problems.add("timeout must be from 1 ms to " + Targets.MAX_TIMEOUT_MS + " ms, was " + timeout);
        }
        if (maxConcurrency < 1 || maxConcurrency > Targets.MAX_CONCURRENCY) {
            problems.add("maxConcurrency must be from 1 to " + Targets.MAX_CONCURRENCY + " (0 would stall every job), was " + maxConcurrency);
        }
        if (breakerThreshold < 1 || breakerThreshold > Targets.MAX_BREAKER_THRESHOLD) {
            problems.add("breakerThreshold must be from 1 to " + Targets.MAX_BREAKER_THRESHOLD + ", was " + breakerThreshold);
        }
        if (auth == null) {
            problems.add("auth must be given (Auth.NONE for none)");
        }
        if (rateLimit == null) {
            problems.add("rateLimit must be given (Optional.empty() for none)");
        }
        if (httpVersion == null || signing == null) {
            problems.add("httpVersion and signing must be given (HttpVersion.AUTO, Signing.NONE for the defaults)");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("target '" + name + "': " + String.join("; ", problems));
        }
    }

    /**
     * The URL for a job's path, or empty when the result would leave the base URL's scheme, host, port or
     * path: the SSRF guard's second line, behind {@link dev.errand.core.validation.PathRules}.
     */
    public Optional<URI> resolve(String path) {
        URI uri;
        try {
            uri = new URI(baseUrl.toString() + path);
        } catch (java.net.URISyntaxException e) {
            return Optional.empty();
        }
        boolean sameOrigin = Objects.equals(uri.getScheme(), baseUrl.getScheme())
                && Objects.equals(uri.getRawAuthority(), baseUrl.getRawAuthority())
                && uri.getRawUserInfo() == null
                && uri.getRawFragment() == null
                && Objects.toString(uri.getRawPath(), "").startsWith(Objects.toString(baseUrl.getRawPath(), ""));
        return sameOrigin ? Optional.of(uri) : Optional.empty();
    }
}
