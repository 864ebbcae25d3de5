package dev.errand.core.delivery;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** {@link HttpCaller} on the JDK's own HTTP client: no redirects followed, HTTP/1.1, a hard timeout per call. */
public final class JdkHttpCaller implements HttpCaller {

    /** The first bytes of a response body kept for logs and dead-letter reasons; the rest is read and dropped. */
    public static final int BODY_PREFIX_BYTES = 1024;
    /** Connecting takes milliseconds when a host is up; waiting longer only holds a batch behind a dead host. */
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    private final HttpClient client;

    public JdkHttpCaller(HttpClient client) {
        this.client = client;
    }

    /** The client Errand uses: redirects are never followed, so a provider cannot send a job to another host. */
    public static HttpClient defaultClient() {
        return HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(CONNECT_TIMEOUT)
                .executor(Executors.newVirtualThreadPerTaskExecutor())
                .build();
    }

    @Override
    public CallResult call(OutgoingRequest request, Duration timeout) {
        long start = System.nanoTime();
        if (!timeout.isPositive()) {
            return new CallResult.NoResponse(CallResult.Failure.TIMEOUT, "no time left to make the call", Duration.ZERO);
        }
        HttpRequest httpRequest;
        try {
            httpRequest = build(request, timeout);
        } catch (IllegalArgumentException e) {
            return new CallResult.NoResponse(CallResult.Failure.UNSENDABLE, e.getMessage(), since(start));
        }
        CompletableFuture<HttpResponse<String>> response =
                client.sendAsync(httpRequest, info -> new PrefixSubscriber(BODY_PREFIX_BYTES));
        try {
            // the request timeout stops at the headers; this one also bounds a body that trickles in
            HttpResponse<String> r = response.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return new CallResult.Responded(r.statusCode(), r.headers().firstValue("Retry-After"), r.body(), since(start),
                    new CallResult.RateHints(r.headers().firstValue("RateLimit-Remaining").or(() -> r.headers().firstValue("X-RateLimit-Remaining")),
                            r.headers().firstValue("RateLimit-Reset").or(() -> r.headers().firstValue("X-RateLimit-Reset"))));
        } catch (TimeoutException e) {
            response.cancel(true);
            return new CallResult.NoResponse(CallResult.Failure.TIMEOUT, "no complete response within " + timeout.toMillis() + " ms", since(start));
        } catch (ExecutionException e) {
            return failure(e.getCause(), since(start));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            response.cancel(true);
            return new CallResult.NoResponse(CallResult.Failure.NETWORK, "interrupted before the response came", since(start));
        }
    }

    private static HttpRequest build(OutgoingRequest request, Duration timeout) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(request.uri())
                .timeout(timeout)
                .method(request.method().name(), request.body()
                        .map(b -> HttpRequest.BodyPublishers.ofString(b, StandardCharsets.UTF_8))
                        .orElse(HttpRequest.BodyPublishers.noBody()));
        request.headers().forEach(builder::header);
        return builder.build();
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
