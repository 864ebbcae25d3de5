package dev.errand.testkit;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Accepts each connection, reads the request head, then resets the connection (TCP RST): a provider that
 * crashes mid-call. It remembers each request's Idempotency-Key, so tests can count calls per job.
 */
public final class ResettingServer implements AutoCloseable {

    private final AtomicInteger connections = new AtomicInteger();
    private final ConcurrentLinkedQueue<String> keys = new ConcurrentLinkedQueue<>();
    private final RawSocketServer server;

    private ResettingServer() throws IOException {
        server = new RawSocketServer(1000, this::reset);
    }

    public static ResettingServer start() {
        try {
            return new ResettingServer();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public URI url() {
        return server.url();
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
        server.close();
    }

    private void reset(Socket client) {
        connections.incrementAndGet();
        try (client) {
            String head = RawSocketServer.readHead(client.getInputStream());
            head.lines()
                    .filter(l -> l.toLowerCase(Locale.ROOT).startsWith("idempotency-key:"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .forEach(keys::add);
            client.setSoLinger(true, 0);
        } catch (IOException e) {
            // the point is to break the connection; how it breaks does not matter
        }
    }
}
