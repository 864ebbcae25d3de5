package dev.errand.core.api;

import dev.errand.core.json.Json;
import dev.errand.core.problem.Problem;
import dev.errand.core.record.JobQuery;
import dev.errand.core.record.JobRecord;
import dev.errand.core.record.JobStatus;
import dev.errand.core.record.JobStore;
import dev.errand.core.record.RequestHash;
import dev.errand.core.validation.FieldError;
import dev.errand.core.validation.Pointer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * {@code GET /jobs?status=&target=&since=&until=&limit=&cursor=}: job records newest change first, from the
 * table's list indexes. The cursor is opaque to callers: the change key of the page's last record and a
 * fingerprint of the search, so a cursor is refused when it was not made by this API or for another search.
 * Query parameters are named in problems as JSON Pointers ("/status").
 */
public final class ListApi {

    public static final String LIST_ROUTE = "GET /jobs";
    public static final List<String> PARAMETERS = List.of("status", "target", "since", "until", "limit", "cursor");
    /** Target names are short; a longer filter is a mistake, and would only cost a query that finds nothing. */
    static final int MAX_TARGET_CHARS = 128;
    private static final int CURSOR_VERSION = 1;

    private final JobStore store;

    public ListApi(JobStore store) {
        this.store = store;
    }

    /** A search read from the query string, or every problem with it. */
    public sealed interface Parsed {
        record Ok(JobQuery query) implements Parsed {}

        record Invalid(List<FieldError> errors) implements Parsed {}
    }

    public ApiResponse handle(ApiRequest request) {
        if (!store.enabled()) {
            return ApiResponse.problem(Problem.of(Problem.Type.RECORDS_REQUIRED,
                    "listing jobs needs job records; deploy with JobRecords=Enabled"));
        }
        return switch (parse(request.query())) {
            case Parsed.Invalid invalid -> ApiResponse.problem(Problem.invalid(invalid.errors()));
            case Parsed.Ok ok -> switch (store.list(ok.query())) {
                case JobStore.Listing.Unavailable u -> ApiResponse.problem(Problem.of(Problem.Type.RECORDS_UNAVAILABLE, u.reason()))
                        .withHeader("Retry-After", String.valueOf(StatusApi.RETRY_AFTER_SECONDS));
                case JobStore.Listing.Page page -> {
                    Map<String, Object> tree = new LinkedHashMap<>();
                    tree.put("jobs", page.records().stream().map(JobRecord::toTree).toList());
                    page.next().ifPresent(key -> tree.put("cursor", cursor(key, ok.query())));
                    yield ApiResponse.json(200, tree);
                }
            };
        };
    }

    /** Reads and checks every parameter; a problem names each one that is wrong. */
    public static Parsed parse(Map<String, String> query) {
        List<FieldError> errors = new ArrayList<>();
        query.keySet().stream().filter(k -> !PARAMETERS.contains(k)).sorted().forEach(k ->
                errors.add(new FieldError(at(k), "is not a known parameter (known: " + String.join(", ", PARAMETERS) + ")")));
        Optional<JobStatus> status = Optional.ofNullable(query.get("status")).flatMap(text -> {
            Optional<JobStatus> s = Arrays.stream(JobStatus.values()).filter(v -> v.wire().equals(text)).findFirst();
            if (s.isEmpty()) {
                errors.add(new FieldError(at("status"), "must be one of " + Arrays.stream(JobStatus.values()).map(JobStatus::wire).toList()
                        + ", was '" + text + "'"));
            }
            return s;
        });
        Optional<String> target = Optional.ofNullable(query.get("target")).filter(t -> {
            boolean ok = !t.isBlank() && t.length() <= MAX_TARGET_CHARS;
            if (!ok) {
                errors.add(new FieldError(at("target"), "must be a target's name, 1 to " + MAX_TARGET_CHARS + " characters"));
            }
            return ok;
        });
        Optional<Instant> since = instant(query, "since", errors);
        Optional<Instant> until = instant(query, "until", errors);
        if (since.isPresent() && until.isPresent() && since.get().isAfter(until.get())) {
            errors.add(new FieldError(at("since"), "is after until: the window would be empty"));
        }
        int limit = JobQuery.DEFAULT_LIMIT;
        if (query.containsKey("limit")) {
            OptionalLong n = Json.integer(Json.parse(query.get("limit")) instanceof Json.Parsed.Value v ? v.value() : null);
            if (n.isEmpty() || n.getAsLong() < 1 || n.getAsLong() > JobQuery.MAX_LIMIT) {
                errors.add(new FieldError(at("limit"), "must be a whole number from 1 to " + JobQuery.MAX_LIMIT + ", was '" + query.get("limit") + "'"));
            } else {
                limit = (int) n.getAsLong();
            }
        }
        JobQuery draft = new JobQuery(status, target, since, until, limit, Optional.empty());
        Optional<String> after = Optional.ofNullable(query.get("cursor")).flatMap(text -> {
            Optional<String> key = after(text, draft);
            if (key.isEmpty()) {
                errors.add(new FieldError(at("cursor"), "is not a cursor this API gave for this search (status, target, since and until"
                        + " must be the same as on the first page); start again without a cursor"));
            }
            return key;
        });
        return errors.isEmpty()
                ? new Parsed.Ok(new JobQuery(status, target, since, until, limit, after))
                : new Parsed.Invalid(errors);
    }

    private static Optional<Instant> instant(Map<String, String> query, String name, List<FieldError> errors) {
        if (!query.containsKey(name)) {
            return Optional.empty();
        }
        try {
            return Optional.of(OffsetDateTime.parse(query.get(name)).toInstant());
        } catch (DateTimeParseException e) {
            errors.add(new FieldError(at(name), "must be an RFC 3339 date-time with an offset such as 2026-11-25T10:00:00Z, was '"
                    + query.get(name) + "'"));
            return Optional.empty();
        }
    }

    /** The cursor after the record with this change key: versioned, and bound to the search it pages through. */
    static String cursor(String changeKey, JobQuery query) {
        String json = Json.write(Map.of("v", CURSOR_VERSION, "after", changeKey, "search", fingerprint(query)));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    private static Optional<String> after(String cursor, JobQuery query) {
        byte[] bytes;
        try {
            bytes = Base64.getUrlDecoder().decode(cursor);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        return Json.parse(new String(bytes, StandardCharsets.UTF_8)) instanceof Json.Parsed.Value v
                && v.value() instanceof Map<?, ?> fields
                && Json.integer(fields.get("v")).equals(OptionalLong.of(CURSOR_VERSION))
                && fields.get("after") instanceof String key && JobQuery.isChangeKey(key)
                && fingerprint(query).equals(fields.get("search"))
                ? Optional.of(key) : Optional.empty();
    }

    private static String fingerprint(JobQuery query) {
        return RequestHash.sha256(query.status().map(JobStatus::wire).orElse("") + "\n" + query.target().orElse("") + "\n"
                + query.since().map(Instant::toString).orElse("") + "\n" + query.until().map(Instant::toString).orElse("")).substring(0, 16);
    }

    private static Pointer at(String parameter) {
        return Pointer.ROOT.child(parameter);
    }
}
