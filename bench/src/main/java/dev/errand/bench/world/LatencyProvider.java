package dev.errand.bench.world;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The external API the benchmarks call: {@code /sleep/{ms}/status/{code}} answers {@code code} after
 * {@code ms}, {@code /status/{code}} at once. One virtual thread per request, so a thousand calls can wait
 * at once; it counts calls and the most it ever held at the same time, to show it was not the bottleneck.
 */
final class LatencyProvider implements AutoCloseable {

    private static final Pattern SLEEP = Pattern.compile("/sleep/(\\d{1,6})/status/(\\d{3})");
    private static final Pattern STATUS = Pattern.compile("/status/(\\d{3})");
    /** Pending connections the kernel may hold: a 1,000-record batch opens about 1,000 at once. */
    private static final int BACKLOG = 4096;

    private final HttpServer server;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger peakInFlight = new AtomicInteger();
    private final AtomicLong served = new AtomicLong();

    LatencyProvider() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), BACKLOG);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::serve);
        server.start();
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    long served() {
        return served.get();
    }

    /** The most calls held at once since the last reset. */
    int resetPeak() {
        return peakInFlight.getAndSet(inFlight.get());
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void serve(HttpExchange exchange) throws IOException {
        int now = inFlight.incrementAndGet();
        peakInFlight.accumulateAndGet(now, Math::max);
        try (exchange) {
            exchange.getRequestBody().readAllBytes();
            String path = exchange.getRequestURI().getPath();
            Matcher sleep = SLEEP.matcher(path);
            Matcher status = STATUS.matcher(path);
            int code = 200;
            if (sleep.matches()) {
                Thread.sleep(Long.parseLong(sleep.group(1)));
                code = Integer.parseInt(sleep.group(2));
            } else if (status.matches()) {
                code = Integer.parseInt(status.group(1));
            }
            byte[] body = ("{\"status\":" + code + "}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(code, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            inFlight.decrementAndGet();
            served.incrementAndGet();
        }
    }
}
