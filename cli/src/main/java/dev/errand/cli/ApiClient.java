package dev.errand.cli;

import dev.errand.aws.SigV4;
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

/** The jobs API from the terminal: POST /jobs and GET /jobs/{id}, SigV4-signed when the API takes IAM auth. */
final class ApiClient {

    /** API Gateway gives up on an integration after 30 s; waiting longer would only hide that. */
    static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** Headers the JDK client sets itself and refuses from callers; the signature covers the same values. */
    private static final Set<String> SET_BY_CLIENT = Set.of("host", "content-length");

    /** What came back: an answer, or why none came. */
    sealed interface Reply {
        record Answered(int status, String body) implements Reply {}

        record Unreachable(String detail) implements Reply {}
    }

    private final URI base;
    private final Optional<SigV4> signer;
    private final HttpClient http;

    ApiClient(URI base, Optional<SigV4> signer, HttpClient http) {
        this.base = base;
        this.signer = signer;
        this.http = http;
    }

    Reply post(String path, String json, Map<String, String> headers) {
        Map<String, String> all = new LinkedHashMap<>(headers);
        all.put("Content-Type", "application/json");
        return send("POST", path, all, json.getBytes(StandardCharsets.UTF_8));
    }

    Reply get(String path) {
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
