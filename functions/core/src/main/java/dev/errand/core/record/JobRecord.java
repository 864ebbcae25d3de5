package dev.errand.core.record;

import dev.errand.core.job.JobId;
import dev.errand.core.job.Notify;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What Errand keeps about a job: its status and the shape of its call, never its body or header values.
 * {@code lastError} and {@code lastResponse} are already cut short and free of secrets when they get here.
 * {@code lastResponse} (the first 1 KiB of the last answer's body) is kept for the job's notification only.
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
        Instant expiresAt,
        Later later) {

    /** What a record holds about running later and reporting back. */
    public record Later(Optional<Instant> runAt, Optional<Instant> nextAttemptAt, Optional<Notify> notifyTo,
                        Optional<JobId> notification, Optional<JobId> notifies, Optional<String> lastResponse, boolean announced) {
        public static final Later NONE = new Later(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), false);
    }

    public JobRecord(JobId jobId, JobStatus status, String target, String method, String path, Instant createdAt, Instant updatedAt,
                     int attempts, Optional<Integer> lastStatusCode, Optional<String> lastError, Optional<String> idempotencyKey,
                     Instant expiresAt) {
        this(jobId, status, target, method, path, createdAt, updatedAt, attempts, lastStatusCode, lastError, idempotencyKey,
                expiresAt, Later.NONE);
    }

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
        later.runAt().ifPresent(at -> tree.put("runAt", at.toString()));
        tree.put("attempts", attempts);
        if (status == JobStatus.RETRYING) {
            later.nextAttemptAt().ifPresent(at -> tree.put("nextAttemptAt", at.toString()));
        }
        lastStatusCode.ifPresent(code -> tree.put("lastStatusCode", code));
        lastError.ifPresent(error -> tree.put("lastError", error));
        idempotencyKey.ifPresent(key -> tree.put("idempotencyKey", key));
        later.notifyTo().ifPresent(n -> {
            Map<String, Object> notify = new LinkedHashMap<>();
            notify.put("target", n.target());
            notify.put("path", n.path());
            notify.put("on", n.onWire());
            tree.put("notify", notify);
        });
        later.notifies().ifPresent(subject -> tree.put("notifies", subject.value()));
        tree.put("expiresAt", expiresAt.toString());
        Map<String, Object> links = new LinkedHashMap<>();
        links.put("self", "/jobs/" + jobId.value());
        later.notification().ifPresent(n -> links.put("notification", "/jobs/" + n.value()));
        later.notifies().ifPresent(subject -> links.put("notifies", "/jobs/" + subject.value()));
        tree.put("links", links);
        return tree;
    }
}
