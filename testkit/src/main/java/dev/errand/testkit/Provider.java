package dev.errand.testkit;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.ssl.SslConnection;
import org.eclipse.jetty.io.ssl.SslHandshakeListener;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * A real HTTP server standing in for an external API: it records every call and answers as the test says,
 * with a status, headers, a body and a delay (a hang is a long delay). By default it serves HTTPS, HTTP/2 and
 * HTTP/1.1 (ALPN picks), with a certificate from this JVM's {@link TestCa}, which it makes the JVM trust;
 * {@link #plain} serves plain HTTP/1.1 for what is about plain HTTP (the local demo).
 */
public final class Provider implements AutoCloseable {

    /** One call as the provider saw it; header names are lower case; protocol is HTTP/1.1 or HTTP/2.0. */
    public record Call(String method, String path, Map<String, String> headers, String body, Instant at, String protocol) {
        public Optional<String> header(String name) {
            return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
        }

        public String jobId() {
            return header("idempotency-key").orElse("");
        }
    }

    /** How to answer one call. */
    public record Reply(int status, Map<String, String> headers, String body, Duration delay) {
        public static Reply status(int status) {
            return new Reply(status, Map.of(), "{\"status\":" + status + "}", Duration.ZERO);
        }

        public Reply withHeader(String name, String value) {
            Map<String, String> more = new TreeMap<>(headers);
            more.put(name, value);
            return new Reply(status, more, body, delay);
        }

        public Reply withBody(String text) {
            return new Reply(status, headers, text, delay);
        }

        public Reply after(Duration wait) {
            return new Reply(status, headers, body, wait);
        }
    }

    /**
     * How the server listens: TLS or not, whether it offers HTTP/2, its concurrent-stream limit (Jetty's default
     * of 128, as nginx and AWS load balancers use), and whether it keeps every call (a benchmark's provider does not).
     */
    public record Options(boolean tls, boolean http2, int maxConcurrentStreams, boolean recordCalls) {
        public static final Options HTTPS = new Options(true, true, 128, true);
        public static final Options PLAIN = new Options(false, false, 128, true);

        public Options http11Only() {
            return new Options(tls, false, maxConcurrentStreams, recordCalls);
        }

        public Options streams(int limit) {
            return new Options(tls, http2, limit, recordCalls);
        }

        public Options unrecorded() {
            return new Options(tls, http2, maxConcurrentStreams, false);
        }
    }

    /** Pending connections the kernel may hold: a 1,000-record batch can open about 1,000 at once. */
    private static final int ACCEPT_QUEUE = 4096;
    /** Request heads may carry 50 headers of 8 KiB each (what a job may set), and more. */
    private static final int MAX_HEAD_BYTES = 1024 * 1024;
    /** Idle connections are kept this long, like a provider that keeps connections for reuse across batches. */
    private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(60);
    /** Statuses whose answers carry no body. */
    private static final Set<Integer> NO_BODY = Set.of(204, 304);

    private final Options options;
    private final Server server;
    private final ServerConnector connector;
    private final ConcurrentLinkedQueue<Call> calls = new ConcurrentLinkedQueue<>();
    private final Set<String> connections = ConcurrentHashMap.newKeySet();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger peakInFlight = new AtomicInteger();
    private final AtomicLong served = new AtomicLong();
    private final AtomicInteger handshaking = new AtomicInteger();
    private final AtomicInteger handshakes = new AtomicInteger();
    private volatile Function<Call, Reply> behaviour;

    private Provider(Options options, Function<Call, Reply> behaviour) throws Exception {
        this.options = options;
        this.behaviour = behaviour;
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setVirtualThreadsExecutor(Executors.newVirtualThreadPerTaskExecutor());
        threads.setName("provider");
        server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setRequestHeaderSize(MAX_HEAD_BYTES);
        http.setSendServerVersion(false);
        connector = new ServerConnector(server, factories(options, http));
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        connector.setAcceptQueueSize(ACCEPT_QUEUE);
        connector.setIdleTimeout(IDLE_TIMEOUT.toMillis());
        connector.addEventListener(new Connection.Listener() {
            @Override
            public void onOpened(Connection connection) {
                if (connection instanceof SslConnection) {
                    handshakes.accumulateAndGet(handshaking.incrementAndGet(), Math::max);
                }
            }
        });
        connector.addBean(new SslHandshakeListener() {
            @Override
            public void handshakeSucceeded(Event event) {
                handshaking.decrementAndGet();
            }

            @Override
            public void handshakeFailed(Event event, Throwable failure) {
                handshaking.decrementAndGet();
            }
        });
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                serve(request, response, callback);
                return true;
            }
        });
        server.setStopTimeout(0);
        server.start();
    }

    private static ConnectionFactory[] factories(Options options, HttpConfiguration http) {
        HttpConnectionFactory http11 = new HttpConnectionFactory(http);
        if (!options.tls()) {
            return new ConnectionFactory[] {http11};
        }
        // clients reach it by IP address, which carries no SNI name to check
        SecureRequestCustomizer secure = new SecureRequestCustomizer(false);
        secure.setSniHostCheck(false);
        http.addCustomizer(secure);
        TestCa ca = TestCa.trustedByThisJvm();
        SslContextFactory.Server tls = new SslContextFactory.Server();
        tls.setKeyStore(ca.serverKeys());
        tls.setKeyStorePassword(TestCa.STORE_PASSWORD);
        tls.setSniRequired(false);
        if (!options.http2()) {
            return new ConnectionFactory[] {new SslConnectionFactory(tls, http11.getProtocol()), http11};
        }
        HTTP2ServerConnectionFactory http2 = new HTTP2ServerConnectionFactory(http);
        http2.setMaxConcurrentStreams(options.maxConcurrentStreams());
        ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory(http2.getProtocol(), http11.getProtocol());
        alpn.setDefaultProtocol(http11.getProtocol());
        return new ConnectionFactory[] {new SslConnectionFactory(tls, alpn.getProtocol()), alpn, http2, http11};
    }

    /** HTTPS with HTTP/2 and HTTP/1.1, a certificate this JVM trusts. */
    public static Provider start(Function<Call, Reply> behaviour) {
        return start(Options.HTTPS, behaviour);
    }

    /** Plain HTTP/1.1: for what is about plain HTTP. */
    public static Provider plain(Function<Call, Reply> behaviour) {
        return start(Options.PLAIN, behaviour);
    }

    public static Provider start(Options options, Function<Call, Reply> behaviour) {
        try {
            return new Provider(options, behaviour);
        } catch (Exception e) {
            throw new IllegalStateException("the provider did not start: " + e.getMessage(), e);
        }
    }

    public URI url() {
        return URI.create((options.tls() ? "https" : "http") + "://127.0.0.1:" + connector.getLocalPort());
    }

    public void answer(Function<Call, Reply> newBehaviour) {
        this.behaviour = newBehaviour;
    }

    public List<Call> calls() {
        return List.copyOf(calls);
    }

    public List<Call> callsFor(String jobId) {
        return calls.stream().filter(c -> c.jobId().equals(jobId)).toList();
    }

    /** Connections that carried at least one call. */
    public int connections() {
        return connections.size();
    }

    /** The most TLS handshakes this server had in progress at once. */
    public int peakHandshakes() {
        return handshakes.get();
    }

    /** Calls answered (or given up) so far. */
    public long served() {
        return served.get();
    }

    /** The most calls held at once since the last reset. */
    public int resetPeak() {
        return peakInFlight.getAndSet(inFlight.get());
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("the provider did not stop: " + e.getMessage(), e);
        }
    }

    private void serve(Request request, Response response, Callback callback) {
        peakInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        try {
            Map<String, String> headers = new TreeMap<>();
            for (HttpField field : request.getHeaders()) {
                headers.merge(field.getLowerCaseName(), field.getValue(), (a, b) -> a + "," + b);
            }
            String body = Content.Source.asString(request, StandardCharsets.UTF_8);
            connections.add(request.getConnectionMetaData().getId());
            Call call = new Call(request.getMethod(), request.getHttpURI().getPathQuery(), Map.copyOf(headers), body, Instant.now(),
                    request.getConnectionMetaData().getProtocol());
            if (options.recordCalls()) {
                calls.add(call);
            }
            Reply reply = behaviour.apply(call);
            if (!reply.delay().isZero()) {
                Thread.sleep(reply.delay());
            }
            response.setStatus(reply.status());
            reply.headers().forEach((k, v) -> response.getHeaders().put(k, v));
            byte[] bytes = NO_BODY.contains(reply.status()) ? new byte[0] : reply.body().getBytes(StandardCharsets.UTF_8);
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
            response.write(true, ByteBuffer.wrap(bytes), callback);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            callback.failed(e);
        } catch (Exception e) {
            callback.failed(e);
        } finally {
            inFlight.decrementAndGet();
            served.incrementAndGet();
        }
    }
}
