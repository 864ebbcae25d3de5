package dev.errand.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Answers every request with a 200 and its headers at once, then sends the promised body one byte at a
 * time, slowly: a provider whose body never finishes in time, which per-read timeouts alone do not catch.
 */
public final class TricklingServer implements AutoCloseable {

    /** The promised body: long enough that trickling it takes minutes. */
    static final int BODY_BYTES = 10_000;

    private final Duration gap;
    private final RawSocketServer server;

    private TricklingServer(Duration gap) throws IOException {
        this.gap = gap;
        server = new RawSocketServer(100, this::trickle);
    }

    /** A server that sends one body byte every {@code gap}. */
    public static TricklingServer start(Duration gap) {
        try {
            return new TricklingServer(gap);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public URI url() {
        return server.url();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }

    private void trickle(Socket client) {
        try (client) {
            RawSocketServer.readHead(client.getInputStream());
            OutputStream out = client.getOutputStream();
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + BODY_BYTES + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < BODY_BYTES && !server.isClosed(); i++) {
                out.write('.');
                out.flush();
                Thread.sleep(gap);
            }
        } catch (IOException e) {
            // the client gave up, as it should
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
