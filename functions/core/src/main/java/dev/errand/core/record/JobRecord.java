package dev.errand.core.record;

import dev.errand.core.job.JobId;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What Errand keeps about a job: its status and the shape of its call, never its body or header values.
 * {@code lastError} is already cut short and free of secrets when it gets here.
 */
public record JobRecord(
        JobId jobId,
        JobStatus status,
        String target,
        String method,
        String path,
        Instant createdAt,
        Instant updatedAt,
        int attempts,
        Optional<Integer> lastStatusCode,
        Optional<String> lastError,
        Optional<String> idempotencyKey,
        Instant expiresAt) {

    /** The record as the API shows it. */
    public Map<String, Object> toTree() {
        Map<String, Object> tree = new LinkedHashMap<>();
        tree.put("jobId", jobId.value());
        tree.put("status", status.wire());
        tree.put("target", target);
        tree.put("method", method);
        tree.put("path", path);
        tree.put("createdAt", createdAt.toString());
        tree.put("updatedAt", updatedAt.toString());
        tree.put("attempts", attempts);
        lastStatusCode.ifPresent(code -> tree.put("lastStatusCode", code));
        lastError.ifPresent(error -> tree.put("lastError", error));
        idempotencyKey.ifPresent(key -> tree.put("idempotencyKey", key));
        tree.put("expiresAt", expiresAt.toString());
        tree.put("links", Map.of("self", "/jobs/" + jobId.value()));
        return tree;
    }
}
