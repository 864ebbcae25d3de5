package dev.errand.bench.callers;

import dev.errand.core.delivery.CallResult;
import dev.errand.core.delivery.HttpCaller;
import dev.errand.core.delivery.JdkHttpCaller;
import dev.errand.core.delivery.OutgoingRequest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.crt.AwsCrtHttpClient;

/** {@link HttpCaller} on the AWS SDK's CRT-based synchronous client (native HTTP stack); the SDK clients never follow redirects. */
public final class CrtCaller implements HttpCaller {

    /** As many connections as calls a batch may have in flight. */
    static final int MAX_CONNECTIONS = 1000;

    private final SdkHttpClient client;
    private final Watchdog watchdog = new Watchdog();

    public CrtCaller() {
        client = AwsCrtHttpClient.builder()
                .maxConcurrency(MAX_CONNECTIONS)
                .connectionTimeout(JdkHttpCaller.CONNECT_TIMEOUT)
                .build();
    }

    @Override
    public CallResult call(OutgoingRequest request, Duration timeout) {
        long start = System.nanoTime();
        ExecutableHttpRequest executable;
        Optional<String> invalid = Responses.invalidHeader(request.headers());
        if (invalid.isPresent()) {
            return new CallResult.NoResponse(CallResult.Failure.UNSENDABLE, invalid.get(), Responses.since(start));
        }
        try {
            byte[] body = request.body().map(b -> b.getBytes(StandardCharsets.UTF_8)).orElse(new byte[0]);
            SdkHttpFullRequest.Builder http = SdkHttpFullRequest.builder()
                    .uri(request.uri())
                    .method(SdkHttpMethod.fromValue(request.method().name()));
            request.headers().forEach(http::putHeader);
            http.putHeader("Host", request.uri().getAuthority());
            HttpExecuteRequest.Builder execute = HttpExecuteRequest.builder();
            if (request.body().isPresent()) {
                http.putHeader("Content-Length", String.valueOf(body.length));
                execute.contentStreamProvider(() -> new ByteArrayInputStream(body));
            }
            executable = client.prepareRequest(execute.request(http.build()).build());
        } catch (IllegalArgumentException | NullPointerException e) {
            return new CallResult.NoResponse(CallResult.Failure.UNSENDABLE, String.valueOf(e.getMessage()), Responses.since(start));
        }
        // abort() stops a call waiting for its headers; a body already flowing needs its own stream aborted
        AtomicReference<Optional<AbortableInputStream>> body = new AtomicReference<>(Optional.empty());
        try (Watchdog.Armed armed = watchdog.arm(timeout, () -> {
            executable.abort();
            body.get().ifPresent(AbortableInputStream::abort);
        })) {
            try {
                HttpExecuteResponse response = executable.call();
                body.set(response.responseBody());
                if (armed.fired()) {
                    response.responseBody().ifPresent(AbortableInputStream::abort);
                }
                String prefix = "";
                if (response.responseBody().isPresent()) {
                    try (InputStream in = response.responseBody().get()) {
                        prefix = Responses.prefix(in, start + timeout.toNanos());
                    }
                }
                if (armed.fired()) {
                    return Responses.failure(new IOException("timed out"), true, timeout, Responses.since(start));
                }
                return new CallResult.Responded(response.httpResponse().statusCode(),
                        response.httpResponse().firstMatchingHeader("Retry-After"), prefix, Responses.since(start));
            } catch (IOException | RuntimeException e) {
                return Responses.failure(crtCause(e), armed.fired(), timeout, Responses.since(start));
            }
        }
    }

    /** The CRT reports socket errors by name in its exception text; map the ones the outcome rules care about. */
    private static Throwable crtCause(Throwable e) {
        String text = String.valueOf(e.getMessage()) + Optional.ofNullable(e.getCause()).map(c -> " " + c.getMessage()).orElse("");
        String t = text.toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
        if (t.contains("connection refused")) {
            return new java.net.ConnectException(text);
        }
        if (t.contains("timeout") || t.contains("timed out")) {
            return new java.net.SocketTimeoutException(text);
        }
        if (t.contains("closed") || t.contains("reset")) {
            return new IOException("connection reset: " + text);
        }
        return e;
    }
}
