package dev.errand.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;

/** Accepts each connection, reads the start of the request, then resets it (TCP RST): a provider crashing mid-call. */
public final class ResettingServer implements AutoCloseable {

    private final ServerSocket socket;
    private final AtomicInteger connections = new AtomicInteger();

    private ResettingServer() throws IOException {
        socket = new ServerSocket(0, 1000, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(this::accept);
    }

    public static ResettingServer start() {
        try {
            return new ResettingServer();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + socket.getLocalPort());
    }

    public int connections() {
        return connections.get();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private void accept() {
        while (!socket.isClosed()) {
            try {
                Socket client = socket.accept();
                connections.incrementAndGet();
                Thread.ofVirtual().start(() -> reset(client));
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void reset(Socket client) {
        try (client) {
            client.getInputStream().read(new byte[256]);
            client.setSoLinger(true, 0);
        } catch (IOException e) {
            // the point is to break the connection; how it breaks does not matter
        }
    }
}
