package dev.errand.local;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
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
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Serves template.yaml's HttpApi routes as API Gateway's HTTP API does: payload format 2.0 events, route
 * keys, path parameters, lower-case headers, base64 for binary bodies, 404 for no route, 503 when the
 * function runs past its timeout, 500 when it throws.
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

    private final HttpServer server;
    private final List<Route> routes;

    ApiGateway(String host, int port, List<Route> routes) throws IOException {
        this.routes = List.copyOf(routes);
        this.server = HttpServer.create(new InetSocketAddress(host, port), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::serve);
        server.start();
    }

    URI url() {
        return URI.create("http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort());
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = readBody(exchange.getRequestBody());
            if (body.length > MAX_PAYLOAD_BYTES) {
                reply(exchange, 413, Map.of("Content-Type", "application/json"), "{\"message\":\"Request Entity Too Large\"}");
                return;
            }
            String rawPath = exchange.getRequestURI().getRawPath();
            String method = exchange.getRequestMethod();
            for (Route route : routes) {
                Matcher m = route.pattern().matcher(rawPath);
                if (route.method().equalsIgnoreCase(method) && m.matches()) {
                    Map<String, String> parameters = new LinkedHashMap<>();
                    for (String name : route.parameters()) {
                        parameters.put(name, URLDecoder.decode(m.group(Route.groupName(name)), StandardCharsets.UTF_8));
                    }
                    invoke(exchange, route, event(exchange, route, parameters, body));
                    return;
                }
            }
            reply(exchange, 404, Map.of("Content-Type", "application/json"), "{\"message\":\"Not Found\"}");
        }
    }

    private void invoke(HttpExchange exchange, Route route, APIGatewayV2HTTPEvent event) throws IOException {
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
            reply(exchange, 503, Map.of("Content-Type", "application/json"), "{\"message\":\"Service Unavailable\"}");
            return;
        } catch (ExecutionException e) {
            System.err.println("[api] " + route.functionName() + " failed:");
            e.getCause().printStackTrace();
            reply(exchange, 500, Map.of("Content-Type", "application/json"), "{\"message\":\"Internal Server Error\"}");
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        String text = Optional.ofNullable(response.getBody()).orElse("");
        byte[] bytes = response.getIsBase64Encoded() ? Base64.getDecoder().decode(text) : text.getBytes(StandardCharsets.UTF_8);
        reply(exchange, response.getStatusCode(), Optional.ofNullable(response.getHeaders()).orElse(Map.of()), bytes);
    }

    private static APIGatewayV2HTTPEvent event(HttpExchange exchange, Route route, Map<String, String> pathParameters, byte[] body) {
        Map<String, String> headers = new LinkedHashMap<>();
        exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), String.join(",", values)));
        String contentType = headers.getOrDefault("content-type", "");
        boolean text = contentType.isEmpty() || contentType.contains("json") || contentType.startsWith("text/")
                || contentType.contains("xml") || contentType.contains("x-www-form-urlencoded");
        String rawQuery = Optional.ofNullable(exchange.getRequestURI().getRawQuery()).orElse("");
        Instant now = Instant.now();
        String requestId = UUID.randomUUID().toString();
        var http = APIGatewayV2HTTPEvent.RequestContext.Http.builder()
                .withMethod(exchange.getRequestMethod())
                .withPath(exchange.getRequestURI().getRawPath())
                .withProtocol(exchange.getProtocol())
                .withSourceIp(exchange.getRemoteAddress().getAddress().getHostAddress())
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
                .withRawPath(exchange.getRequestURI().getRawPath())
                .withRawQueryString(rawQuery)
                .withHeaders(headers)
                .withQueryStringParameters(query(rawQuery))
                .withPathParameters(pathParameters.isEmpty() ? null : pathParameters)
                .withBody(body.length == 0 ? null : text ? new String(body, StandardCharsets.UTF_8) : Base64.getEncoder().encodeToString(body))
                .withIsBase64Encoded(body.length > 0 && !text)
                .withRequestContext(context)
                .build();
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

    private static byte[] readBody(InputStream in) throws IOException {
        return in.readNBytes(MAX_PAYLOAD_BYTES + 1);
    }

    private static void reply(HttpExchange exchange, int status, Map<String, String> headers, String body) throws IOException {
        reply(exchange, status, headers, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void reply(HttpExchange exchange, int status, Map<String, String> headers, byte[] body) throws IOException {
        headers.forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
        exchange.getResponseHeaders().set("apigw-requestid", UUID.randomUUID().toString());
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }
}
