package dev.errand.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;

/**
 * Accepts connections and reads whatever comes, never answering: a host whose TLS handshake never finishes
 * (or whose HTTP answer never starts). Calls to it end only by their own timeouts.
 */
public final class SilentServer implements AutoCloseable {

    private final RawSocketServer server;

    private SilentServer() throws IOException {
        server = new RawSocketServer(100, SilentServer::listen);
    }

    public static SilentServer start() {
        try {
            return new SilentServer();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Its address as an https URL: a client's handshake to it hangs. */
    public URI httpsUrl() {
        return URI.create("https://127.0.0.1:" + server.url().getPort());
    }

    @Override
    public void close() throws IOException {
        server.close();
    }

    private static void listen(Socket client) {
        try (client; InputStream in = client.getInputStream()) {
            while (in.read() >= 0) {
                // nothing is ever answered
            }
        } catch (IOException e) {
            // the client gave up
        }
    }
}
