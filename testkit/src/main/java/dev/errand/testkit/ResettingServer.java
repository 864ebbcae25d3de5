package dev.errand.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Accepts each connection, reads the request head, then resets the connection (TCP RST): a provider that
 * crashes mid-call. It remembers each request's Idempotency-Key, so tests can count calls per job.
 */
public final class ResettingServer implements AutoCloseable {

    /** Request heads are read up to this size; a real one is far smaller. */
    private static final int MAX_HEAD_BYTES = 16 * 1024;

    private final ServerSocket socket;
    private final AtomicInteger connections = new AtomicInteger();
    private final ConcurrentLinkedQueue<String> keys = new ConcurrentLinkedQueue<>();

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

    /** How many requests carried this Idempotency-Key (a job id). */
    public long callsFor(String jobId) {
        return keys.stream().filter(jobId::equals).count();
    }

    public List<String> keys() {
        return List.copyOf(keys);
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

    private void reset(Socket client) {
        try (client) {
            String head = readHead(client.getInputStream());
            head.lines()
                    .filter(l -> l.toLowerCase(Locale.ROOT).startsWith("idempotency-key:"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .forEach(keys::add);
            client.setSoLinger(true, 0);
        } catch (IOException e) {
            // the point is to break the connection; how it breaks does not matter
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int b;
        while (head.size() < MAX_HEAD_BYTES && (b = in.read()) >= 0) {
            head.write(b);
            if (head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                break;
            }
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }
}
