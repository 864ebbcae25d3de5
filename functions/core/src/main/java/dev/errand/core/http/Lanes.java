package dev.errand.core.http;

import java.net.http.HttpClient;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;

/**
 * The JDK HTTP clients a caller sends through, each with its TLS connections watched. The JDK client keeps
 * one HTTP/2 connection per host, so more connections to one host need more clients: lane {@code i} is
 * client {@code i}. Calls that must use HTTP/1.1 have a client of their own, so what is learned about a host
 * through one never misleads the other.
 */
public final class Lanes {

    /** Connecting takes milliseconds when a host is up; waiting longer only holds a batch behind a dead host. */
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** HTTP/2 connections per host: 12 x 100 streams holds a 1,000-record batch at once. */
    public static final int HTTP2_LANES = 12;

    /** Built on first use: each client has a selector thread, and most hosts never need a second connection. */
    private final HttpClient[] auto;
    private HttpClient http11;
    /** Read when the first client is built, not before: the JVM's trust settings may be made after this object. */
    private SSLContext base;
    private final ExecutorService threads;
    private final ConnectionGate autoGate;
    private final ConnectionGate http11Gate;
    private final boolean bounded;

    private Lanes(int lanes, boolean bounded, Clock clock) {
        this.bounded = bounded;
        this.autoGate = new ConnectionGate(lanes, clock);
        this.http11Gate = new ConnectionGate(1, clock);
        this.threads = Executors.newVirtualThreadPerTaskExecutor();
        this.auto = new HttpClient[lanes];
    }

    /** The production set: HTTP/2 lanes, handshakes bounded per host. */
    public static Lanes bounded(Clock clock) {
        return new Lanes(HTTP2_LANES, true, clock);
    }

    /** One client, nothing bounded, connections only counted: how the JDK client behaves on its own (for benchmarks). */
    public static Lanes unbounded(Clock clock) {
        return new Lanes(1, false, clock);
    }

    public boolean isBounded() {
        return bounded;
    }

    public HttpClient client(boolean http11Only, int lane) {
        synchronized (auto) {
            if (base == null) {
                base = defaultContext();
            }
            if (http11Only) {
                if (http11 == null) {
                    http11 = client(HttpClient.Version.HTTP_1_1, new WatchedSslContext(base, http11Gate.listener(0)), threads);
                }
                return http11;
            }
            if (auto[lane] == null) {
                auto[lane] = client(HttpClient.Version.HTTP_2, new WatchedSslContext(base, autoGate.listener(lane)), threads);
            }
            return auto[lane];
        }
    }

    public ConnectionGate gate(boolean http11Only) {
        return http11Only ? http11Gate : autoGate;
    }

    /** TLS connections opened so far, to every host. */
    public long connectionsOpened() {
        return autoGate.opened() + http11Gate.opened();
    }

    /** Connections the JDK client opened where the gate expected a pooled one (a stale guess it then corrected). */
    public long unplannedConnections() {
        return autoGate.unplanned() + http11Gate.unplanned();
    }

    /** No redirects are followed, so a provider cannot send a job to another host. */
    private static HttpClient client(HttpClient.Version version, SSLContext tls, ExecutorService threads) {
        return HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .version(version)
                .connectTimeout(CONNECT_TIMEOUT)
                .sslContext(tls)
                .executor(threads)
                .build();
    }

    private static SSLContext defaultContext() {
        try {
            // the JVM's own: javax.net.ssl.trustStore and friends (JAVA_TOOL_OPTIONS) choose what it trusts
            return SSLContext.getDefault();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no default TLS context", e);
        }
    }
}
