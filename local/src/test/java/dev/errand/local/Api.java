package dev.errand.local;

import dev.errand.core.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

/** The jobs API as a client sees it over HTTP. */
record Api(URI base) {

    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    /** An HTTP answer with its body read as JSON. */
    record Answer(int status, Map<String, List<String>> headers, String body) {
        @SuppressWarnings("unchecked")
        Map<String, Object> json() {
            return (Map<String, Object>) ((Json.Parsed.Value) Json.parse(body)).value();
        }

        String header(String name) {
            return headers.getOrDefault(name.toLowerCase(), List.of("")).getFirst();
        }

        String jobId() {
            return (String) json().get("jobId");
        }
    }

    Answer post(String path, String body) {
        return send(HttpRequest.newBuilder(base.resolve(path)).POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json").build());
    }

    Answer delete(String path) {
        return send(HttpRequest.newBuilder(base.resolve(path)).DELETE().build());
    }

    Answer get(String path) {
        return send(HttpRequest.newBuilder(base.resolve(path)).GET().build());
    }

    private static Answer send(HttpRequest request) {
        try {
            HttpResponse<String> r = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), r.headers().map(), r.body());
        } catch (IOException e) {
            throw new AssertionError("the API did not answer: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
