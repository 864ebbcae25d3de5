package dev.errand.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
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

    private final ServerSocket socket;
    private final Duration gap;

    private TricklingServer(Duration gap) throws IOException {
        this.gap = gap;
        socket = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(this::accept);
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
        return URI.create("http://127.0.0.1:" + socket.getLocalPort());
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private void accept() {
        while (!socket.isClosed()) {
            try {
                Socket client = socket.accept();
                Thread.ofVirtual().start(() -> trickle(client));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void trickle(Socket client) {
        try (client) {
            readHeaders(client.getInputStream());
            OutputStream out = client.getOutputStream();
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + BODY_BYTES + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < BODY_BYTES && !socket.isClosed(); i++) {
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

    /** Reads up to the blank line that ends the request's headers. */
    private static void readHeaders(InputStream in) throws IOException {
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        int b;
        while (matched < end.length && (b = in.read()) >= 0) {
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
    }
}
