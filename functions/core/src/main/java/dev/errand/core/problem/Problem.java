package dev.errand.core.problem;

import dev.errand.core.validation.FieldError;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An RFC 9457 problem detail, served as {@code application/problem+json}. {@code errors} names every
 * problem found, each with a JSON Pointer into the request; {@code extensions} adds members such as results.
 */
public record Problem(String type, String title, int status, String detail, List<FieldError> errors,
                      Map<String, Object> extensions) {

    public static final String MEDIA_TYPE = "application/problem+json";

    public Problem {
        errors = List.copyOf(errors);
        extensions = Map.copyOf(extensions);
    }

    public static Problem of(Type type, String detail) {
        return new Problem(type.uri(), type.title, type.status, detail, List.of(), Map.of());
    }

    public static Problem invalid(List<FieldError> errors) {
        String detail = errors.size() == 1 ? "1 problem found" : errors.size() + " problems found";
        return new Problem(Type.INVALID_REQUEST.uri(), Type.INVALID_REQUEST.title, Type.INVALID_REQUEST.status, detail,
                errors, Map.of());
    }

    public Problem with(String member, Object value) {
        Map<String, Object> more = new LinkedHashMap<>(extensions);
        more.put(member, value);
        return new Problem(type, title, status, detail, errors, more);
    }

    /** The problem as a JSON tree, members in the order RFC 9457 lists them. */
    public Map<String, Object> toTree() {
        Map<String, Object> tree = new LinkedHashMap<>();
        tree.put("type", type);
        tree.put("title", title);
        tree.put("status", status);
        tree.put("detail", detail);
        if (!errors.isEmpty()) {
            tree.put("errors", errors.stream()
                    .map(e -> Map.of("pointer", e.pointer().value(), "detail", e.detail()))
                    .toList());
        }
        tree.putAll(extensions);
        return tree;
    }

    /** The kinds of problem Errand answers with; docs/api.md describes each. */
    public enum Type {
        INVALID_REQUEST("invalid-request", "The request is not a valid job request", 400),
        TOO_LARGE("too-large", "The request is larger than Errand accepts", 413),
        NOT_FOUND("not-found", "No such resource", 404),
        METHOD_NOT_ALLOWED("method-not-allowed", "The resource does not take this method", 405),
        QUEUE_UNAVAILABLE("queue-unavailable", "The job queue is unavailable; nothing was queued", 503),
        RECORDS_UNAVAILABLE("records-unavailable", "Job records are unavailable; try again shortly", 503),
        IDEMPOTENCY_CONFLICT("idempotency-conflict", "The Idempotency-Key was used for a different request", 409),
        IDEMPOTENCY_IN_PROGRESS("idempotency-in-progress", "A request with this Idempotency-Key is in progress", 409),
        QUEUE_REFUSED("queue-refused", "The job queue refused the job; nothing was queued", 500),
        JOB_OVER("job-over", "The job is over and cannot be cancelled", 409),
        RECORDS_REQUIRED("records-required", "This needs job records, which are off in this deployment (JobRecords=Disabled)", 501);

        private final String slug;
        private final String title;
        private final int status;

        Type(String slug, String title, int status) {
            this.slug = slug;
            this.title = title;
            this.status = status;
        }

        public String uri() {
            return "urn:errand:problem:" + slug;
        }

        public int status() {
            return status;
        }
    }
}
