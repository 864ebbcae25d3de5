package dev.errand.testkit;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A real HTTP reverse proxy in front of a real service (ElasticMQ, moto) that holds every request back for
 * a while before forwarding it: what a slow or far-away AWS endpoint does to the caller's deadlines. With
 * {@link #routing} it fronts several services and shows each request forwarded (a benchmark counts them).
 */
public final class SlowProxy implements AutoCloseable {

    /** Headers the JDK client sets itself, or that describe one hop only. */
    private static final Set<String> NOT_FORWARDED = Set.of("host", "content-length", "connection", "transfer-encoding",
            "expect", "upgrade", "keep-alive");

    private final HttpServer server;
    private final HttpClient client;
    private final Function<Headers, URI> upstream;
    private final Duration delay;
    private final Consumer<Forwarded> seen;
    private final AtomicInteger requests = new AtomicInteger();

    /** One request as it was forwarded (its headers and body), the upstream's answer (status and body), and how long that took. */
    public record Forwarded(Headers headers, byte[] body, int status, byte[] answer, Duration took) {}

    private SlowProxy(Function<Headers, URI> upstream, Duration delay, Consumer<Forwarded> seen, HttpClient.Version version) throws IOException {
        this.client = HttpClient.newBuilder().version(version).executor(Executors.newVirtualThreadPerTaskExecutor()).build();
        this.upstream = upstream;
        this.delay = delay;
        this.seen = seen;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1000);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::forward);
        server.start();
    }

    public static SlowProxy start(URI upstream, Duration delay) {
        return start(headers -> upstream, delay, forwarded -> { }, HttpClient.Version.HTTP_2);
    }

    /**
     * Forwards each request to where {@code upstream} says from its headers, over HTTP/1.1 (what the emulators
     * speak), and shows it with its answer to {@code seen}.
     */
    public static SlowProxy routing(Function<Headers, URI> upstream, Duration delay, Consumer<Forwarded> seen) {
        return start(upstream, delay, seen, HttpClient.Version.HTTP_1_1);
    }

    private static SlowProxy start(Function<Headers, URI> upstream, Duration delay, Consumer<Forwarded> seen, HttpClient.Version version) {
        try {
            return new SlowProxy(upstream, delay, seen, version);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Requests forwarded so far. */
    public int requests() {
        return requests.get();
    }

    @Override
    public void close() {
        server.stop(0);
        client.close();
    }

    private void forward(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            Thread.sleep(delay);
            HttpRequest.Builder request = HttpRequest.newBuilder(upstream.apply(exchange.getRequestHeaders()).resolve(exchange.getRequestURI().toString()))
                    .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
            exchange.getRequestHeaders().forEach((name, values) -> {
                if (!NOT_FORWARDED.contains(name.toLowerCase(Locale.ROOT))) {
                    values.forEach(v -> request.header(name, v));
                }
            });
            requests.incrementAndGet();
            long sent = System.nanoTime();
            HttpResponse<byte[]> response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            Duration took = Duration.ofNanos(System.nanoTime() - sent);
            response.headers().map().forEach((name, values) -> {
                if (!NOT_FORWARDED.contains(name.toLowerCase(Locale.ROOT)) && !name.startsWith(":")) {
                    exchange.getResponseHeaders().put(name, values);
                }
            });
            byte[] answer = response.body();
            seen.accept(new Forwarded(exchange.getRequestHeaders(), body, response.statusCode(), answer, took));
            exchange.sendResponseHeaders(response.statusCode(), answer.length == 0 ? -1 : answer.length);
            if (answer.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(answer);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
