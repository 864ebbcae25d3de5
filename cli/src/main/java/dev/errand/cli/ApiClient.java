package dev.errand.cli;

import dev.errand.aws.SigV4;
import dev.errand.core.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The jobs API from Java: POST /jobs, GET /jobs/{id}, DELETE /jobs/{id} (cancel) and GET /jobs (the search),
 * SigV4-signed when the API takes IAM auth. The CLI's commands use it; so may other tools (the console).
 */
public final class ApiClient {

    /** API Gateway gives up on an integration after 30 s; waiting longer would only hide that. */
    static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** Headers the JDK client sets itself and refuses from callers; the signature covers the same values. */
    private static final Set<String> SET_BY_CLIENT = Set.of("host", "content-length");

    /** What came back: an answer, or why none came. */
    public sealed interface Reply {
        record Answered(int status, String body) implements Reply {}

        record Unreachable(String detail) implements Reply {}
    }

    /**
     * A search of GET /jobs: each filter optional; {@code cursor} is the one the previous page answered.
     * The API checks every value and names what is wrong.
     */
    public record Search(Optional<String> status, Optional<String> target, Optional<java.time.Instant> since,
                         Optional<java.time.Instant> until, Optional<Integer> limit, Optional<String> cursor) {
        public static final Search ALL = new Search(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty());

        /** A time as since and until take it: RFC 3339 with an offset ({@code 2026-11-25T10:00:00Z}); empty when it is not one. */
        public static Optional<java.time.Instant> time(String text) {
            try {
                return Optional.of(java.time.OffsetDateTime.parse(text).toInstant());
            } catch (java.time.format.DateTimeParseException e) {
                return Optional.empty();
            }
        }

        /** The same search, from the page after the one that answered {@code next}. */
        public Search after(String next) {
            return new Search(status, target, since, until, limit, Optional.of(next));
        }

        String queryString() {
            List<String> pairs = new java.util.ArrayList<>();
            status.ifPresent(v -> pairs.add("status=" + encode(v)));
            target.ifPresent(v -> pairs.add("target=" + encode(v)));
            since.ifPresent(v -> pairs.add("since=" + encode(v.toString())));
            until.ifPresent(v -> pairs.add("until=" + encode(v.toString())));
            limit.ifPresent(v -> pairs.add("limit=" + v));
            cursor.ifPresent(v -> pairs.add("cursor=" + encode(v)));
            return pairs.isEmpty() ? "" : "?" + String.join("&", pairs);
        }

        private static String encode(String value) {
            return java.net.URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
        }
    }

    /** One page of GET /jobs: its records, newest change first, and the next page's cursor (none on the last page). */
    public record Page(List<Map<String, Object>> jobs, Optional<String> cursor) {
        public Page {
            jobs = List.copyOf(jobs);
        }

        /** The page a 200 of GET /jobs carries; empty when the body is not one. */
        public static Optional<Page> of(String body) {
            if (!(Json.parse(body) instanceof Json.Parsed.Value v && v.value() instanceof Map<?, ?> page
                    && page.get("jobs") instanceof List<?> jobs && jobs.stream().allMatch(Map.class::isInstance))) {
                return Optional.empty();
            }
            List<Map<String, Object>> records = jobs.stream().map(j -> {
                Map<String, Object> record = new LinkedHashMap<>();
                ((Map<?, ?>) j).forEach((k, value) -> record.put(String.valueOf(k), value));
                return record;
            }).toList();
            return Optional.of(new Page(records, page.get("cursor") instanceof String c ? Optional.of(c) : Optional.empty()));
        }
    }

    private final URI base;
    private final Optional<SigV4> signer;
    private final HttpClient http;

    public ApiClient(URI base, Optional<SigV4> signer, HttpClient http) {
        this.base = base;
        this.signer = signer;
        this.http = http;
    }

    /** One page of GET /jobs: {@code {"jobs": [records], "cursor": "..."}}, no cursor on the last page. */
    public Reply listJobs(Search search) {
        return get("/jobs" + search.queryString());
    }

    /** DELETE /jobs/{jobId}: 200 with the cancelled record (again for a repeat), 409 when the job is over, 404 unknown. */
    public Reply cancel(String jobId) {
        return send("DELETE", "/jobs/" + jobId, Map.of(), new byte[0]);
    }

    public Reply post(String path, String json, Map<String, String> headers) {
        Map<String, String> all = new LinkedHashMap<>(headers);
        all.put("Content-Type", "application/json");
        return send("POST", path, all, json.getBytes(StandardCharsets.UTF_8));
    }

    public Reply get(String path) {
        return send("GET", path, Map.of(), new byte[0]);
    }

    private static Map<String, List<String>> unsigned(Map<String, String> headers) {
        Map<String, List<String>> all = new LinkedHashMap<>();
        headers.forEach((name, value) -> all.put(name, List.of(value)));
        return all;
    }

    private Reply send(String method, String path, Map<String, String> headers, byte[] body) {
        URI uri = URI.create(base + path);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(TIMEOUT)
                .method(method, body.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        Map<String, List<String>> sent = signer.map(s -> s.sign(method, uri, headers, body)).orElseGet(() -> unsigned(headers));
        sent.forEach((name, values) -> {
            if (!SET_BY_CLIENT.contains(name.toLowerCase(Locale.ROOT))) {
                values.forEach(v -> request.header(name, v));
            }
        });
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply.Answered(response.statusCode(), response.body());
        } catch (IOException e) {
            return new Reply.Unreachable("the API at " + base + " did not answer: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Reply.Unreachable("interrupted");
        }
    }
}
