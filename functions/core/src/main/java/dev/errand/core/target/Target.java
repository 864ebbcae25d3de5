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
        HttpVersion httpVersion,
        Signing signing) {

    /** A target that speaks whatever HTTP version the provider offers and signs nothing. */
    public Target(String name, URI baseUrl, Duration timeout, int maxConcurrency, int breakerThreshold, boolean allowInsecure,
                  Auth auth) {
        this(name, baseUrl, timeout, maxConcurrency, breakerThreshold, allowInsecure, auth, HttpVersion.AUTO, Signing.NONE);
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
