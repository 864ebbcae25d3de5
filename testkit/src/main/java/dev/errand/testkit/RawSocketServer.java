package dev.errand.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/** A loopback server on bare sockets, one virtual thread per connection: for providers that misbehave below HTTP. */
final class RawSocketServer implements AutoCloseable {

    /** Request heads are read up to this size; a real one is far smaller. */
    static final int MAX_HEAD_BYTES = 16 * 1024;

    private final ServerSocket socket;
    private final Consumer<Socket> handler;

    RawSocketServer(int backlog, Consumer<Socket> handler) throws IOException {
        this.handler = handler;
        socket = new ServerSocket(0, backlog, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(this::accept);
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + socket.getLocalPort());
    }

    boolean isClosed() {
        return socket.isClosed();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private void accept() {
        while (!socket.isClosed()) {
            try {
                Socket client = socket.accept();
                Thread.ofVirtual().start(() -> handler.accept(client));
            } catch (IOException e) {
                return;
            }
        }
    }

    /** The request head, up to and including the blank line that ends it (at most {@link #MAX_HEAD_BYTES}). */
    static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        byte[] end = {'\r', '\n', '\r', '\n'};
        int matched = 0;
        int b;
        while (matched < end.length && head.size() < MAX_HEAD_BYTES && (b = in.read()) >= 0) {
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }
}
