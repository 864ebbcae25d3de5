package dev.errand.core.job;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What a client asked for: call {@code target}'s base URL plus {@code path} with this method, headers and
 * body. {@code body} is JSON text, already validated; empty means the call has no body.
 */
public record JobRequest(
        String target,
        HttpMethod method,
        String path,
        Map<String, String> headers,
        Optional<String> body,
        int delaySeconds) {

    public static final String DEFAULT_PATH = "";

    public JobRequest {
        headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    }
}
