package dev.errand.core.delivery;

import dev.errand.core.http.Lanes;
import dev.errand.core.target.HttpVersion;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@link HttpCaller} on the JDK's own HTTP client: no redirects followed, HTTP/2 when the provider offers it
 * (HTTP/1.1 when the target says so, and always over plain http), a hard timeout per call. Built with
 * {@link #bounded()}, calls to one host wait for a pooled or multiplexed connection rather than all opening
 * their own at once (see {@code ConnectionGate}); a call that waited too long is {@link CallResult.NotSent}.
 */
public final class JdkHttpCaller implements HttpCaller {

    /** The first bytes of a response body kept for logs and dead-letter reasons; the rest is read and dropped. */
    public static final int BODY_PREFIX_BYTES = 1024;
    /** Connecting takes milliseconds when a host is up; waiting longer only holds a batch behind a dead host. */
    public static final Duration CONNECT_TIMEOUT = Lanes.CONNECT_TIMEOUT;
    /** A call waits for a connection only while at least this much of its timeout would be left to make it. */
    public static final Duration LEAST_TIME_TO_SEND = Duration.ofSeconds(1);
    /** What the JDK client says when a stream would pass the server's concurrent-stream limit (it sends nothing). */
    static final String TOO_MANY_STREAMS = "too many concurrent streams";

    private final Optional<Lanes> lanes;
    private final Optional<HttpClient> client;

    /** Sends through the given client as it is: nothing bounded, nothing watched. */
    public JdkHttpCaller(HttpClient client) {
        this.client = Optional.of(client);
        this.lanes = Optional.empty();
    }

    private JdkHttpCaller(Lanes lanes) {
        this.client = Optional.empty();
        this.lanes = Optional.of(lanes);
    }

    /** The consumer's caller: HTTP/2 lanes, handshakes to one host bounded. */
    public static JdkHttpCaller bounded() {
        return new JdkHttpCaller(Lanes.bounded(Clock.systemUTC()));
    }

    /** The JDK client left to itself, its TLS connections counted: the benchmark's "before". */
    public static JdkHttpCaller unbounded() {
        return new JdkHttpCaller(Lanes.unbounded(Clock.systemUTC()));
    }

    /** A client as Errand configures one: redirects never followed, HTTP/2 preferred, virtual threads. */
    public static HttpClient defaultClient() {
        return HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_2)
                .connectTimeout(CONNECT_TIMEOUT)
                .executor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor())
                .build();
    }

    /** TLS connections this caller opened (0 when it was given a client to use as it is). */
    public long connectionsOpened() {
        return lanes.map(Lanes::connectionsOpened).orElse(0L);
    }

    @Override
    public CallResult call(OutgoingRequest request, Duration timeout) {
        long start = System.nanoTime();
        if (!timeout.isPositive()) {
            return new CallResult.NoResponse(CallResult.Failure.TIMEOUT, "no time left to make the call", Duration.ZERO);
        }
        boolean plain = !"https".equalsIgnoreCase(request.uri().getScheme());
        // over plain http the JDK would try an h2c upgrade, which providers rarely expect
        boolean http11 = plain || request.version() == HttpVersion.HTTP_1_1;
        if (client.isPresent() || plain || !lanes.get().isBounded()) {
            HttpClient direct = client.orElseGet(() -> lanes.get().client(http11, 0));
            return send(direct, request, http11, timeout, start).result();
        }
        return gated(lanes.get(), request, http11, timeout, start);
    }

    private CallResult gated(Lanes lanes, OutgoingRequest request, boolean http11, Duration timeout, long start) {
        String authority = authority(request.uri());
        var gate = lanes.gate(http11);
        while (true) {
            Duration left = timeout.minus(since(start));
            Duration maxWait = left.compareTo(LEAST_TIME_TO_SEND.multipliedBy(2)) >= 0 ? left.minus(LEAST_TIME_TO_SEND) : left.dividedBy(2);
            var pass = gate.enter(authority, maxWait);
            if (pass.isEmpty()) {
                return new CallResult.NotSent("no connection to " + authority + " within " + since(start).toMillis()
                        + " ms: the handshakes allowed at once were all in progress, or every HTTP/2 stream was busy", since(start));
            }
            Sent sent = send(lanes.client(http11, pass.get().lane()), request, http11, timeout.minus(since(start)), start);
            gate.exit(pass.get(), sent.http2(), sent.refusedForStreams());
            if (!sent.refusedForStreams()) {
                return sent.result();
            }
            // the JDK client sent nothing: the gate now knows the server's stream limit, so wait for a stream and try again
        }
    }

    /** What one send produced, and what it taught about the connection. */
    private record Sent(CallResult result, boolean http2, boolean refusedForStreams) {}

    private static Sent send(HttpClient client, OutgoingRequest request, boolean http11, Duration timeout, long start) {
        if (!timeout.isPositive()) {
            return new Sent(new CallResult.NoResponse(CallResult.Failure.TIMEOUT, "no time left to make the call", since(start)), false, false);
        }
        HttpRequest httpRequest;
        try {
            httpRequest = build(request, timeout, http11);
        } catch (IllegalArgumentException e) {
            return new Sent(new CallResult.NoResponse(CallResult.Failure.UNSENDABLE, e.getMessage(), since(start)), false, false);
        }
        CompletableFuture<HttpResponse<String>> response =
                client.sendAsync(httpRequest, info -> new PrefixSubscriber(BODY_PREFIX_BYTES));
        try {
            // the request timeout stops at the headers; this one also bounds a body that trickles in
            HttpResponse<String> r = response.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return new Sent(new CallResult.Responded(r.statusCode(), r.headers().firstValue("Retry-After"), r.body(), since(start),
                    new CallResult.RateHints(r.headers().firstValue("RateLimit-Remaining").or(() -> r.headers().firstValue("X-RateLimit-Remaining")),
                            r.headers().firstValue("RateLimit-Reset").or(() -> r.headers().firstValue("X-RateLimit-Reset")))),
                    r.version() == HttpClient.Version.HTTP_2, false);
        } catch (TimeoutException e) {
            response.cancel(true);
            return new Sent(new CallResult.NoResponse(CallResult.Failure.TIMEOUT, "no complete response within " + timeout.toMillis() + " ms",
                    since(start)), false, false);
        } catch (ExecutionException e) {
            boolean refused = e.getCause() instanceof IOException io && TOO_MANY_STREAMS.equals(io.getMessage());
            return new Sent(failure(e.getCause(), since(start)), false, refused);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            response.cancel(true);
            return new Sent(new CallResult.NoResponse(CallResult.Failure.NETWORK, "interrupted before the response came", since(start)),
                    false, false);
        }
    }

    private static HttpRequest build(OutgoingRequest request, Duration timeout, boolean http11) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(request.uri())
                .timeout(timeout)
                .method(request.method().name(), request.body()
                        .map(b -> HttpRequest.BodyPublishers.ofString(b, StandardCharsets.UTF_8))
                        .orElse(HttpRequest.BodyPublishers.noBody()));
        if (http11) {
            builder.version(HttpClient.Version.HTTP_1_1);
        }
        request.headers().forEach(builder::header);
        return builder.build();
    }

    private static String authority(URI uri) {
        int port = uri.getPort() >= 0 ? uri.getPort() : 443;
        return uri.getHost() + ":" + port;
    }

    private static CallResult failure(Throwable cause, Duration latency) {
        String detail = Optional.ofNullable(cause.getMessage()).orElse(cause.getClass().getSimpleName());
        CallResult.Failure kind = switch (cause) {
            case HttpConnectTimeoutException e -> CallResult.Failure.TIMEOUT;
            case HttpTimeoutException e -> CallResult.Failure.TIMEOUT;
            case ConnectException e -> CallResult.Failure.CONNECTION_REFUSED;
            case EOFException e -> CallResult.Failure.CONNECTION_RESET;
            case IOException e when isReset(detail) -> CallResult.Failure.CONNECTION_RESET;
            case IllegalArgumentException e -> CallResult.Failure.UNSENDABLE;
            default -> CallResult.Failure.NETWORK;
        };
        return new CallResult.NoResponse(kind, detail, latency);
    }

    private static boolean isReset(String detail) {
        String d = detail.toLowerCase(Locale.ROOT);
        return d.contains("reset") || d.contains("closed") || d.contains("broken pipe") || d.contains("eof");
    }

    private static Duration since(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    /** Keeps the first {@code limit} bytes of a body and drops the rest as it arrives. */
    private static final class PrefixSubscriber implements HttpResponse.BodySubscriber<String> {
        private final int limit;
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
        private final CompletableFuture<String> body = new CompletableFuture<>();

        PrefixSubscriber(int limit) {
            this.limit = limit;
        }

        @Override
        public CompletionStage<String> getBody() {
            return body;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            for (ByteBuffer buffer : buffers) {
                int n = Math.min(buffer.remaining(), limit - kept.size());
                if (n > 0) {
                    byte[] bytes = new byte[n];
                    buffer.get(bytes);
                    kept.write(bytes, 0, n);
                }
            }
        }

        @Override
        public void onError(Throwable throwable) {
            body.completeExceptionally(throwable);
        }

        @Override
        public void onComplete() {
            body.complete(kept.toString(StandardCharsets.UTF_8));
        }
    }
}
