package dev.errand.local;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.errand.local.http.Http1Server;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Serves template.yaml's HttpApi routes as API Gateway's HTTP API does: payload format 2.0 events, route
 * keys, path parameters, lower-case headers, base64 for binary bodies, 404 for no route, 503 when the
 * function runs past its timeout, 500 when it throws, 413 over 10 MB, 431 over the request line and header
 * quota; and one access log entry per request, from the variables API Gateway would give its format.
 */
final class ApiGateway implements AutoCloseable {

    /** HTTP API refuses request bodies over 10 MB. */
    static final int MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;
    private static final DateTimeFormatter REQUEST_TIME =
            DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ENGLISH).withZone(ZoneOffset.UTC);

    /** One route: {@code POST /jobs/{jobId}} and the function behind it. */
    record Route(String method, String path, RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> handler,
                 String functionName, Duration timeout, int memoryMb) {

        String routeKey() {
            return method + " " + path;
        }

        Pattern pattern() {
            Matcher m = Pattern.compile("\\{([^}/]+)}").matcher(path);
            StringBuilder regex = new StringBuilder();
            int last = 0;
            while (m.find()) {
                regex.append(Pattern.quote(path.substring(last, m.start()))).append("(?<").append(groupName(m.group(1))).append(">[^/]+)");
                last = m.end();
            }
            regex.append(Pattern.quote(path.substring(last)));
            return Pattern.compile(regex.toString());
        }

        List<String> parameters() {
            Matcher m = Pattern.compile("\\{([^}/]+)}").matcher(path);
            List<String> names = new ArrayList<>();
            while (m.find()) {
                names.add(m.group(1));
            }
            return names;
        }

        private static String groupName(String parameter) {
            return parameter.replaceAll("[^A-Za-z0-9]", "");
        }
    }

    /** What API Gateway knows of one request when it writes its access log line: the $context variables, by name. */
    @FunctionalInterface
    interface AccessLog {
        AccessLog NONE = context -> { };

        void request(Map<String, String> context);
    }

    private final Http1Server server;
    private final List<Route> routes;
    private final AccessLog accessLog;

    ApiGateway(String host, int port, List<Route> routes, AccessLog accessLog) throws IOException {
        this.routes = List.copyOf(routes);
        this.accessLog = accessLog;
        this.server = new Http1Server(host, port, MAX_PAYLOAD_BYTES, this::serve);
    }

    URI url() {
        return URI.create("http://" + server.address().getHostString() + ":" + server.address().getPort());
    }

    @Override
    public void close() {
        server.close();
    }

    private Http1Server.Response serve(Http1Server.Request request) {
        long started = System.nanoTime();
        Instant at = Instant.now();
        String requestId = UUID.randomUUID().toString();
        Served served = route(request, requestId, at);
        Map<String, String> context = new LinkedHashMap<>();
        context.put("requestId", requestId);
        context.put("requestTime", REQUEST_TIME.format(at));
        context.put("requestTimeEpoch", String.valueOf(at.toEpochMilli()));
        context.put("httpMethod", request.method());
        context.put("path", request.uri().getRawPath());
        context.put("protocol", request.protocol());
        context.put("routeKey", served.routeKey().orElse("-"));
        context.put("status", String.valueOf(served.response().status()));
        context.put("responseLength", String.valueOf(served.response().body().length));
        context.put("responseLatency", String.valueOf((System.nanoTime() - started) / 1_000_000));
        served.integrationMillis().ifPresent(ms -> context.put("integrationLatency", String.valueOf(ms)));
        context.put("identity.sourceIp", request.remote().getAddress().getHostAddress());
        request.header("user-agent").ifPresent(ua -> context.put("identity.userAgent", ua));
        accessLog.request(context);
        Map<String, String> headers = new LinkedHashMap<>(served.response().headers());
        headers.put("apigw-requestid", requestId);
        return new Http1Server.Response(served.response().status(), headers, served.response().body());
    }

    /** The answer, the route it took (none for a 404) and how long the function took. */
    private record Served(Http1Server.Response response, Optional<String> routeKey, Optional<Long> integrationMillis) {}

    private Served route(Http1Server.Request request, String requestId, Instant at) {
        String rawPath = request.uri().getRawPath();
        for (Route route : routes) {
            Matcher m = route.pattern().matcher(rawPath);
            if (route.method().equalsIgnoreCase(request.method()) && m.matches()) {
                Map<String, String> parameters = new LinkedHashMap<>();
                for (String name : route.parameters()) {
                    parameters.put(name, URLDecoder.decode(m.group(Route.groupName(name)), StandardCharsets.UTF_8));
                }
                long started = System.nanoTime();
                Http1Server.Response response = invoke(route, event(request, route, parameters, requestId, at));
                return new Served(response, Optional.of(route.routeKey()), Optional.of((System.nanoTime() - started) / 1_000_000));
            }
        }
        return new Served(json(404, "{\"message\":\"Not Found\"}"), Optional.empty(), Optional.empty());
    }

    private Http1Server.Response invoke(Route route, APIGatewayV2HTTPEvent event) {
        LocalContext context = new LocalContext(route.functionName(), route.timeout(), route.memoryMb());
        CompletableFuture<APIGatewayV2HTTPResponse> running = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                running.complete(route.handler().handleRequest(event, context));
            } catch (Throwable t) {
                running.completeExceptionally(t);
            }
        });
        APIGatewayV2HTTPResponse response;
        try {
            response = running.get(route.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            System.err.println("[api] " + route.functionName() + " timed out after " + route.timeout().toSeconds() + " s");
            return json(503, "{\"message\":\"Service Unavailable\"}");
        } catch (ExecutionException e) {
            System.err.println("[api] " + route.functionName() + " failed:");
            e.getCause().printStackTrace();
            return json(500, "{\"message\":\"Internal Server Error\"}");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return json(503, "{\"message\":\"Service Unavailable\"}");
        }
        String text = Optional.ofNullable(response.getBody()).orElse("");
        byte[] bytes = response.getIsBase64Encoded() ? Base64.getDecoder().decode(text) : text.getBytes(StandardCharsets.UTF_8);
        return new Http1Server.Response(response.getStatusCode(), Optional.ofNullable(response.getHeaders()).orElse(Map.of()), bytes);
    }

    private static APIGatewayV2HTTPEvent event(Http1Server.Request request, Route route, Map<String, String> pathParameters,
                                               String requestId, Instant now) {
        Map<String, String> headers = new LinkedHashMap<>();
        request.headers().forEach(h -> headers.merge(h.getKey(), h.getValue(), (a, b) -> a + "," + b));
        String contentType = headers.getOrDefault("content-type", "");
        boolean text = contentType.isEmpty() || contentType.contains("json") || contentType.startsWith("text/")
                || contentType.contains("xml") || contentType.contains("x-www-form-urlencoded");
        String rawQuery = Optional.ofNullable(request.uri().getRawQuery()).orElse("");
        byte[] body = request.body();
        var http = APIGatewayV2HTTPEvent.RequestContext.Http.builder()
                .withMethod(request.method())
                .withPath(request.uri().getRawPath())
                .withProtocol(request.protocol())
                .withSourceIp(request.remote().getAddress().getHostAddress())
                .withUserAgent(headers.getOrDefault("user-agent", ""))
                .build();
        var context = APIGatewayV2HTTPEvent.RequestContext.builder()
                .withRouteKey(route.routeKey())
                .withAccountId("000000000000")
                .withApiId("local")
                .withStage("$default")
                .withRequestId(requestId)
                .withDomainName(headers.getOrDefault("host", "127.0.0.1"))
                .withTime(REQUEST_TIME.format(now))
                .withTimeEpoch(now.toEpochMilli())
                .withHttp(http)
                .build();
        return APIGatewayV2HTTPEvent.builder()
                .withVersion("2.0")
                .withRouteKey(route.routeKey())
                .withRawPath(request.uri().getRawPath())
                .withRawQueryString(rawQuery)
                .withHeaders(headers)
                .withQueryStringParameters(query(rawQuery))
                .withPathParameters(pathParameters.isEmpty() ? null : pathParameters)
                .withBody(body.length == 0 ? null : text ? new String(body, StandardCharsets.UTF_8) : Base64.getEncoder().encodeToString(body))
                .withIsBase64Encoded(body.length > 0 && !text)
                .withRequestContext(context)
                .build();
    }

    private static Http1Server.Response json(int status, String body) {
        return new Http1Server.Response(status, Map.of("Content-Type", "application/json"), body.getBytes(StandardCharsets.UTF_8));
    }

    private static Map<String, String> query(String rawQuery) {
        if (rawQuery.isEmpty()) {
            return null;
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (String pair : rawQuery.split("&")) {
            String[] kv = pair.split("=", 2);
            String key = URLDecoder.decode(kv[0], StandardCharsets.UTF_8);
            String value = kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "";
            values.merge(key, value, (a, b) -> a + "," + b);
        }
        return values;
    }
}
