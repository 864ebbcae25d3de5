package dev.errand.core.delivery;

import dev.errand.core.job.HttpMethod;
import java.net.URI;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** One call to a provider, ready to send: the URL is resolved and the headers are final. */
public record OutgoingRequest(URI uri, HttpMethod method, Map<String, String> headers, Optional<String> body) {

    public OutgoingRequest {
        headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    }
}
