package dev.errand.emulators;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * moto in server mode (DynamoDB, SSM, Secrets Manager), run as a child process on a free port and stopped
 * with this object. Needs Python 3 with {@code pip install "moto[server]"}.
 */
public final class MotoServer implements AutoCloseable {

    /** moto answers in about a second; a slow machine gets thirty before we give up. */
    static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    /**
     * moto's server, with each request handled whole before the next: moto checks a transaction's conditions
     * and then writes without a lock, so two concurrent TransactWriteItems on one key could both succeed
     * (seen here: 6 trials in 60 of 20 at once). DynamoDB never allows that; serialising gives the tests
     * DynamoDB's guarantee. Connections are still accepted concurrently.
     */
    static final String LAUNCHER = """
            import sys, threading
            from werkzeug.serving import run_simple
            from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
            app = DomainDispatcherApplication(create_backend_app)
            lock = threading.Lock()
            def serialised(environ, start_response):
                with lock:
                    return list(app(environ, start_response))
            run_simple(sys.argv[1], int(sys.argv[2]), serialised, threaded=True, use_reloader=False)
            """;
    public static final String INSTALL_HINT = "pip install \"moto[server]\"";

    private final Process process;
    private final URI endpoint;
    private final Path log;

    private MotoServer(Process process, URI endpoint, Path log) {
        this.process = process;
        this.endpoint = endpoint;
        this.log = log;
    }

    /** Whether moto can be started here: python3 is on the PATH and imports moto's server. */
    public static Optional<String> unavailable() {
        try {
            Process check = new ProcessBuilder("python3", "-c", "import moto.server").redirectErrorStream(true).start();
            String output = new String(check.getInputStream().readAllBytes());
            return check.waitFor() == 0 ? Optional.empty()
                    : Optional.of("python3 cannot import moto.server (" + output.strip().lines().reduce((a, b) -> b).orElse("") + ")");
        } catch (IOException e) {
            return Optional.of("python3 is not on the PATH");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted");
        }
    }

    /** Starts moto on 127.0.0.1 and a free port, and waits until it answers. */
    public static MotoServer start() throws IOException {
        return start(0);
    }

    /** Starts moto on 127.0.0.1 and {@code port} (0 picks a free one), and waits until it answers. */
    public static MotoServer start(int requested) throws IOException {
        int port = requested == 0 ? freePort() : requested;
        Path log = Files.createTempFile("moto-", ".log");
        Process process = new ProcessBuilder(List.of("python3", "-c", LAUNCHER, "127.0.0.1", String.valueOf(port)))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        MotoServer server = new MotoServer(process, URI.create("http://127.0.0.1:" + port), log);
        try {
            server.awaitReady();
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    public URI endpoint() {
        return endpoint;
    }

    /** Forgets every table, parameter and secret, as a fresh moto would. */
    public void reset() {
        send(HttpRequest.newBuilder(endpoint.resolve("/moto-api/reset")).POST(HttpRequest.BodyPublishers.noBody()).build());
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    private void awaitReady() throws IOException {
        long end = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < end) {
            if (!process.isAlive()) {
                throw new IOException("moto exited at start: " + Files.readString(log).strip());
            }
            if (send(HttpRequest.newBuilder(endpoint.resolve("/moto-api/")).GET().build()) == 200) {
                return;
            }
            sleep(Duration.ofMillis(100));
        }
        throw new IOException("moto did not answer within " + START_TIMEOUT.toSeconds() + " s; its log: " + log);
    }

    private static int send(HttpRequest request) {
        try (HttpClient client = HttpClient.newHttpClient()) {
            return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
