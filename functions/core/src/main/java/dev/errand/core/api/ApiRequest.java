package dev.errand.core.api;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * An HTTP request as the API sees it, whatever carried it (API Gateway or the local runtime).
 * {@code routeKey} is API Gateway's "METHOD /path/{param}"; header names are kept in lower case;
 * {@code caller} is the IAM principal when the API knows it, else {@code anonymous}.
 */
public record ApiRequest(String routeKey, Map<String, String> headers, Map<String, String> pathParameters, String body,
                         String caller, Map<String, String> query) {

    public ApiRequest(String routeKey, Map<String, String> headers, Map<String, String> pathParameters, String body) {
        this(routeKey, headers, pathParameters, body, dev.errand.core.record.IdempotencyKey.ANONYMOUS);
    }

    public ApiRequest(String routeKey, Map<String, String> headers, Map<String, String> pathParameters, String body, String caller) {
        this(routeKey, headers, pathParameters, body, caller, Map.of());
    }

    /** {@code query}: the query string's parameters, a repeated one joined with commas (as API Gateway does). */
    public ApiRequest {
        query = Map.copyOf(query);
        headers = headers.entrySet().stream().collect(Collectors.toUnmodifiableMap(
                e -> e.getKey().toLowerCase(Locale.ROOT), Map.Entry::getValue, (a, b) -> a + "," + b));
        pathParameters = Map.copyOf(pathParameters);
    }

    public Optional<String> header(String name) {
        return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
    }

    public Optional<String> pathParameter(String name) {
        return Optional.ofNullable(pathParameters.get(name));
    }

    public int bodyBytes() {
        return body.getBytes(StandardCharsets.UTF_8).length;
    }
}
