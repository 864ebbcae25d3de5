package dev.errand.core.delivery;

import dev.errand.core.job.HttpMethod;
import dev.errand.core.target.HttpVersion;
import java.net.URI;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** One call to a provider, ready to send: the URL is resolved and the headers are final. */
public record OutgoingRequest(URI uri, HttpMethod method, Map<String, String> headers, Optional<String> body, HttpVersion version) {

    public OutgoingRequest {
        headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    }

    /** A request in whatever HTTP version the provider offers. */
    public OutgoingRequest(URI uri, HttpMethod method, Map<String, String> headers, Optional<String> body) {
        this(uri, method, headers, body, HttpVersion.AUTO);
    }

    public OutgoingRequest withHeaders(Map<String, String> newHeaders) {
        return new OutgoingRequest(uri, method, newHeaders, body, version);
    }
}
