package dev.errand.core.job;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What a client asked for: call {@code target}'s base URL plus {@code path} with this method, headers and
 * body. {@code body} is JSON text, already validated; empty means the call has no body. The first call waits
 * {@code delaySeconds} after submission, or until {@code runAt} (never both); {@code notify} says where to
 * report the job's end.
 */
public record JobRequest(
        String target,
        HttpMethod method,
        String path,
        Map<String, String> headers,
        Optional<String> body,
        int delaySeconds,
        Optional<Instant> runAt,
        Optional<Notify> notifyTo) {

    public static final String DEFAULT_PATH = "";

    public JobRequest {
        headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    }

    /** A request that runs after a delay (0: at once) and reports to nobody. */
    public JobRequest(String target, HttpMethod method, String path, Map<String, String> headers, Optional<String> body,
                      int delaySeconds) {
        this(target, method, path, headers, body, delaySeconds, Optional.empty(), Optional.empty());
    }
}
