package dev.errand.core.validation;

import dev.errand.core.job.HttpMethod;
import dev.errand.core.job.JobRequest;
import dev.errand.core.job.Notify;
import dev.errand.core.record.JobStatus;
import dev.errand.core.job.MessageBudget;
import dev.errand.core.json.Json;
import dev.errand.core.target.TargetDirectory;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Turns a job request's JSON tree into a {@link JobRequest}, or names every problem found. The same rules
 * check a client's submission and a message read back from the queue, so they can never disagree.
 */
public final class JobRequestReader {

    /** SQS's DelaySeconds maximum: a longer wait is scheduled (EventBridge Scheduler) rather than put on the queue. */
    public static final int MAX_DELAY_SECONDS = 900;
    /** A job may wait a year (QStash's bound): further ahead, a schedule is more likely a mistake than a plan. */
    public static final int MAX_RUN_LATER_SECONDS = 31_536_000;
    public static final Duration LONGEST_WAIT = Duration.ofSeconds(MAX_RUN_LATER_SECONDS);
    /** The largest body whose job always fits one SQS message, in the jobs queue and in the DLQ (MessageBudget). */
    public static final int LARGEST_MAX_BODY_BYTES = MessageBudget.LARGEST_BODY_BYTES;
    /** The default is the largest: any smaller limit is the operator's choice. */
    public static final int DEFAULT_MAX_BODY_BYTES = LARGEST_MAX_BODY_BYTES;

    public static final List<String> FIELDS = List.of("target", "method", "path", "headers", "body", "delaySeconds", "runAt", "notify");
    public static final List<String> NOTIFY_FIELDS = List.of("target", "path", "on");

    private final TargetDirectory targets;
    private final int maxBodyBytes;
    /** Now, for refusing a runAt more than a year ahead; empty for messages, whose runAt was checked when they were accepted. */
    private final Optional<Clock> horizon;
    private final int maxHeaderChars;

    public JobRequestReader(TargetDirectory targets, int maxBodyBytes) {
        this(targets, maxBodyBytes, Clock.systemUTC());
    }

    public JobRequestReader(TargetDirectory targets, int maxBodyBytes, Clock clock) {
        this(targets, maxBodyBytes, Optional.of(clock), HeaderRules.MAX_TOTAL_CHARS);
        if (maxBodyBytes < 1 || maxBodyBytes > LARGEST_MAX_BODY_BYTES) {
            throw new IllegalArgumentException("maxBodyBytes must be from 1 to " + LARGEST_MAX_BODY_BYTES
                    + " so that a job fits one SQS message, was " + maxBodyBytes);
        }
    }

    private JobRequestReader(TargetDirectory targets, int maxBodyBytes, Optional<Clock> horizon, int maxHeaderChars) {
        this.targets = targets;
        this.maxBodyBytes = maxBodyBytes;
        this.horizon = horizon;
        this.maxHeaderChars = maxHeaderChars;
    }

    /**
     * For messages already on the queue: the same shape, but sizes are not judged again (SQS took the
     * message, and it was accepted under the limits in force then), so a limit lowered later drops nothing;
     * nor is a runAt held to a year from now.
     */
    public static JobRequestReader forQueuedMessages() {
        return new JobRequestReader(TargetDirectory.ANY, MessageBudget.SQS_MESSAGE_BYTES, Optional.empty(), Integer.MAX_VALUE);
    }

    /** The result of reading one job request. */
    public sealed interface Read {
        record Ok(JobRequest request) implements Read {}

        record Invalid(List<FieldError> errors) implements Read {
            public Invalid {
                errors = List.copyOf(errors);
            }
        }
    }

    public Read read(Object node, Pointer at) {
        if (!(node instanceof Map<?, ?> fields)) {
            return new Read.Invalid(List.of(new FieldError(at, "must be a JSON object, was " + Json.typeName(node))));
        }
        List<FieldError> errors = new ArrayList<>();
        fields.keySet().stream().map(String::valueOf).filter(k -> !FIELDS.contains(k)).sorted().forEach(k ->
                errors.add(new FieldError(at.child(k), "is not a known field (known: " + String.join(", ", FIELDS) + ")")));
        Optional<String> target = target(fields, at.child("target"), errors);
        HttpMethod method = method(fields, at.child("method"), errors);
        String path = path(fields, at.child("path"), errors);
        Map<String, String> headers = headers(fields, target, at.child("headers"), errors);
        Optional<String> body = body(fields, at.child("body"), errors);
        int delaySeconds = delaySeconds(fields, at.child("delaySeconds"), errors);
        Optional<Instant> runAt = runAt(fields, at.child("runAt"), errors);
        if (fields.containsKey("runAt") && fields.containsKey("delaySeconds")) {
            errors.add(new FieldError(at.child("runAt"), "give runAt or delaySeconds, not both"));
        }
        Optional<Notify> notify = notify(fields, at.child("notify"), errors);
        if (!errors.isEmpty()) {
            return new Read.Invalid(errors);
        }
        return new Read.Ok(new JobRequest(target.orElseThrow(), method, path, headers, body, delaySeconds, runAt, notify));
    }

    /** An RFC 3339 date-time with an offset, at most a year ahead; one in the past runs at once. */
    private Optional<Instant> runAt(Map<?, ?> fields, Pointer at, List<FieldError> errors) {
        if (!fields.containsKey("runAt")) {
            return Optional.empty();
        }
        if (!(fields.get("runAt") instanceof String text)) {
            errors.add(new FieldError(at, "must be an RFC 3339 date-time with an offset such as 2026-11-25T10:00:00Z, was "
                    + Json.typeName(fields.get("runAt"))));
            return Optional.empty();
        }
        Instant when;
        try {
            when = OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            errors.add(new FieldError(at, "'" + text + "' is not an RFC 3339 date-time with an offset (such as 2026-11-25T10:00:00Z"
                    + " or 2026-11-25T11:00:00+01:00)"));
            return Optional.empty();
        }
        Optional<Instant> latest = horizon.map(clock -> clock.instant().plus(LONGEST_WAIT));
        if (latest.isPresent() && when.isAfter(latest.get())) {
            errors.add(new FieldError(at, "'" + text + "' is more than a year (" + MAX_RUN_LATER_SECONDS + " s) ahead; the latest is "
                    + latest.get()));
            return Optional.empty();
        }
        return Optional.of(when);
    }

    private Optional<Notify> notify(Map<?, ?> fields, Pointer at, List<FieldError> errors) {
        if (!fields.containsKey("notify")) {
            return Optional.empty();
        }
        if (!(fields.get("notify") instanceof Map<?, ?> given)) {
            errors.add(new FieldError(at, "must be an object {\"target\", \"path\", \"on\"}, was " + Json.typeName(fields.get("notify"))));
            return Optional.empty();
        }
        int before = errors.size();
        given.keySet().stream().map(String::valueOf).filter(k -> !NOTIFY_FIELDS.contains(k)).sorted().forEach(k ->
                errors.add(new FieldError(at.child(k), "is not a known field (known: " + String.join(", ", NOTIFY_FIELDS) + ")")));
        Optional<String> target = target(given, at.child("target"), errors);
        String path = path(given, at.child("path"), errors);
        Set<JobStatus> on = on(given, at.child("on"), errors);
        return errors.size() > before ? Optional.empty() : Optional.of(new Notify(target.orElseThrow(), path, on));
    }

    private static Set<JobStatus> on(Map<?, ?> fields, Pointer at, List<FieldError> errors) {
        if (!fields.containsKey("on")) {
            return Notify.all();
        }
        List<String> allowed = Notify.STATES.stream().map(JobStatus::wire).toList();
        if (!(fields.get("on") instanceof List<?> given) || given.isEmpty()) {
            errors.add(new FieldError(at, "must be a non-empty array of states from " + allowed + ", was "
                    + (fields.get("on") instanceof List<?> ? "empty" : Json.typeName(fields.get("on")))));
            return Set.of();
        }
        Set<JobStatus> on = new java.util.HashSet<>();
        for (int i = 0; i < given.size(); i++) {
            Object state = given.get(i);
            if (state instanceof String s && allowed.contains(s)) {
                on.add(JobStatus.fromWire(s));
            } else {
                errors.add(new FieldError(at.child(i), "must be one of " + allowed + ", was "
                        + (state instanceof String s ? "'" + s + "'" : Json.typeName(state))));
            }
        }
        return on;
    }

    private Optional<String> target(Map<?, ?> fields, Pointer at, List<FieldError> errors) {
        Object value = fields.get("target");
        if (!(value instanceof String name) || name.isBlank()) {
            errors.add(new FieldError(at, fields.containsKey("target")
                    ? "must be the name of a configured target, was " + Json.typeName(value) + (value instanceof String ? " (blank)" : "")
                    : "is required: the name of a configured target"));
            return Optional.empty();
        }
        Optional<String> refusal = targets.refuse(name);
        refusal.ifPresent(r -> errors.add(new FieldError(at, r)));
        return refusal.isEmpty() ? Optional.of(name) : Optional.empty();
    }

    private static HttpMethod method(Map<?, ?> fields, Pointer at, List<FieldError> errors) {
        if (!fields.containsKey("method")) {
            return HttpMethod.DEFAULT;
        }
        Object value = fields.get("method");
        Optional<HttpMethod> method = value instanceof String s ? HttpMethod.parse(s) : Optional.empty();
        if (method.isEmpty()) {
            errors.add(new FieldError(at, "must be one of " + Arrays.toString(HttpMethod.values())
                    + ", was " + (value instanceof String s ? "'" + s + "'" : Json.typeName(value))));
        }
        return method.orElse(HttpMethod.DEFAULT);
    }

    private static String path(Map<?, ?> fields, Pointer at, List<FieldError> errors) {
        if (!fields.containsKey("path")) {
            return JobRequest.DEFAULT_PATH;
        }
        if (!(fields.get("path") instanceof String path)) {
            errors.add(new FieldError(at, "must be a string starting with '/', was " + Json.typeName(fields.get("path"))));
            return JobRequest.DEFAULT_PATH;
        }
        PathRules.problem(path).ifPresent(p -> errors.add(new FieldError(at, p)));
        return path;
    }

    private Map<String, String> headers(Map<?, ?> fields, Optional<String> target, Pointer at, List<FieldError> errors) {
        if (!fields.containsKey("headers")) {
            return Map.of();
        }
        if (!(fields.get("headers") instanceof Map<?, ?> given)) {
            errors.add(new FieldError(at, "must be an object of header names to string values, was "
                    + Json.typeName(fields.get("headers"))));
            return Map.of();
        }
        if (given.size() > HeaderRules.MAX_HEADERS) {
            errors.add(new FieldError(at, "has " + given.size() + " headers; the limit is " + HeaderRules.MAX_HEADERS));
            return Map.of();
        }
        Set<String> reserved = target.map(targets::reservedHeaders).orElse(Set.of());
        Map<String, String> headers = new LinkedHashMap<>();
        Map<String, String> seen = new HashMap<>();
        given.forEach((key, value) -> {
            String name = String.valueOf(key);
            String lower = name.toLowerCase(Locale.ROOT);
            Pointer here = at.child(name);
            Optional<String> problem = HeaderRules.nameProblem(name)
                    .or(() -> reserved.contains(lower) ? Optional.of("is set by the target's auth configuration") : Optional.empty())
                    .or(() -> seen.containsKey(lower)
                            ? Optional.of("repeats header '" + seen.get(lower) + "': header names ignore case")
                            : Optional.empty())
                    .or(() -> value instanceof String s ? HeaderRules.valueProblem(s)
                            : Optional.of("must be a string, was " + Json.typeName(value)));
            problem.ifPresentOrElse(p -> errors.add(new FieldError(here, p)), () -> headers.put(name, (String) value));
            seen.putIfAbsent(lower, name);
        });
        int chars = headers.entrySet().stream().mapToInt(h -> h.getKey().length() + h.getValue().length()).sum();
        if (chars > maxHeaderChars) {
            errors.add(new FieldError(at, "hold " + chars + " characters of names and values together; the limit is " + maxHeaderChars));
        }
        return headers;
    }

    private Optional<String> body(Map<?, ?> fields, Pointer at, List<FieldError> errors) {
        // JSON null and an absent body both mean a call without a body
        Optional<String> json = Optional.ofNullable(fields.get("body")).map(Json::write);
        json.map(j -> j.getBytes(StandardCharsets.UTF_8).length)
                .filter(bytes -> bytes > maxBodyBytes)
                .ifPresent(bytes -> errors.add(new FieldError(at, "is " + bytes + " bytes as JSON; the limit is " + maxBodyBytes)));
        return json;
    }

    private static int delaySeconds(Map<?, ?> fields, Pointer at, List<FieldError> errors) {
        if (!fields.containsKey("delaySeconds")) {
            return 0;
        }
        OptionalLong value = Json.integer(fields.get("delaySeconds"));
        if (value.isEmpty() || value.getAsLong() < 0 || value.getAsLong() > MAX_RUN_LATER_SECONDS) {
            errors.add(new FieldError(at, "must be a whole number of seconds from 0 to " + MAX_RUN_LATER_SECONDS + " (a year)"
                    + ", was " + describe(fields.get("delaySeconds"))));
            return 0;
        }
        return (int) value.getAsLong();
    }

    private static String describe(Object value) {
        return value instanceof Number n ? n.toString() : Json.typeName(value);
    }
}
