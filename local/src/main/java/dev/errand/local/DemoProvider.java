package dev.errand.local;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stand-in external API for the local demo, so a newcomer can watch a job be delivered, retried and
 * dead-lettered without an account anywhere:
 * {@code /status/{code}} answers that status; {@code /flaky/{n}} answers 503 (Retry-After: 2) to the first n
 * calls of each job, then 200; {@code /slow/{ms}} waits, then answers 200; anything else answers 200.
 */
final class DemoProvider implements AutoCloseable {

    private static final Pattern STATUS = Pattern.compile("/status/(\\d{3})");
    private static final Pattern FLAKY = Pattern.compile("/flaky/(\\d{1,3})");
    private static final Pattern SLOW = Pattern.compile("/slow/(\\d{1,6})");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    private final HttpServer server;
    private final Consumer<String> log;
    private final Map<String, AtomicInteger> callsByJob = new ConcurrentHashMap<>();

    DemoProvider(String host, int port, Consumer<String> log) throws IOException {
        this.log = log;
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
            exchange.getRequestBody().readAllBytes();
            String path = exchange.getRequestURI().getPath();
            String job = Optional.ofNullable(exchange.getRequestHeaders().getFirst("Idempotency-Key")).orElse("-");
            int call = callsByJob.computeIfAbsent(job, k -> new AtomicInteger()).incrementAndGet();
            int status = status(path, call);
            if (SLOW.matcher(path).matches()) {
                sleepMillis(Long.parseLong(group(SLOW, path)));
            }
            log.accept(LocalTime.now().format(TIME) + "  [demo provider] " + exchange.getRequestMethod() + " " + path
                    + "  job " + job + "  call #" + call + "  -> " + status);
            if (FLAKY.matcher(path).matches() && status == 503) {
                exchange.getResponseHeaders().set("Retry-After", "2");
            }
            byte[] body = ("{\"status\":" + status + ",\"call\":" + call + "}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private static int status(String path, int call) {
        if (STATUS.matcher(path).matches()) {
            int asked = Integer.parseInt(group(STATUS, path));
            return asked >= 200 && asked <= 599 ? asked : 400;
        }
        if (FLAKY.matcher(path).matches()) {
            return call <= Integer.parseInt(group(FLAKY, path)) ? 503 : 200;
        }
        return 200;
    }

    private static String group(Pattern pattern, String path) {
        Matcher m = pattern.matcher(path);
        m.matches();
        return m.group(1);
    }

    private static void sleepMillis(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
