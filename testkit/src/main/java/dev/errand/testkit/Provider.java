package dev.errand.testkit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * A real HTTP server standing in for an external API: it records every call and answers as the test says,
 * with a status, headers, a body and a delay (a hang is a long delay).
 */
public final class Provider implements AutoCloseable {

    /** One call as the provider saw it; header names are lower case. */
    public record Call(String method, String path, Map<String, String> headers, String body, Instant at) {
        public Optional<String> header(String name) {
            return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
        }

        public String jobId() {
            return header("idempotency-key").orElse("");
        }
    }

    /** How to answer one call. */
    public record Reply(int status, Map<String, String> headers, String body, Duration delay) {
        public static Reply status(int status) {
            return new Reply(status, Map.of(), "{\"status\":" + status + "}", Duration.ZERO);
        }

        public Reply withHeader(String name, String value) {
            Map<String, String> more = new TreeMap<>(headers);
            more.put(name, value);
            return new Reply(status, more, body, delay);
        }

        public Reply withBody(String text) {
            return new Reply(status, headers, text, delay);
        }

        public Reply after(Duration wait) {
            return new Reply(status, headers, body, wait);
        }
    }

    private final HttpServer server;
    private final ConcurrentLinkedQueue<Call> calls = new ConcurrentLinkedQueue<>();
    private volatile Function<Call, Reply> behaviour;

    private Provider(Function<Call, Reply> behaviour) throws IOException {
        this.behaviour = behaviour;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1000);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::serve);
        server.start();
    }

    public static Provider start(Function<Call, Reply> behaviour) {
        try {
            return new Provider(behaviour);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    public void answer(Function<Call, Reply> newBehaviour) {
        this.behaviour = newBehaviour;
    }

    public List<Call> calls() {
        return List.copyOf(calls);
    }

    public List<Call> callsFor(String jobId) {
        return calls.stream().filter(c -> c.jobId().equals(jobId)).toList();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            Map<String, String> headers = new TreeMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), String.join(",", v)));
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String target = exchange.getRequestURI().getRawPath()
                    + Optional.ofNullable(exchange.getRequestURI().getRawQuery()).map(q -> "?" + q).orElse("");
            Call call = new Call(exchange.getRequestMethod(), target, Map.copyOf(headers), body, Instant.now());
            calls.add(call);
            Reply reply = behaviour.apply(call);
            if (!reply.delay().isZero()) {
                Thread.sleep(reply.delay());
            }
            reply.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
            byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(reply.status(), bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
