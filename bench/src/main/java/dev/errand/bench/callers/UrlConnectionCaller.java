package dev.errand.bench.callers;

import dev.errand.core.delivery.CallResult;
import dev.errand.core.delivery.HttpCaller;
import dev.errand.core.delivery.JdkHttpCaller;
import dev.errand.core.delivery.OutgoingRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.ProtocolException;
import java.net.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * {@link HttpCaller} on HttpURLConnection, one blocking call per virtual thread. HttpURLConnection cannot
 * send PATCH (ProtocolException) and turns a GET with a body into a POST: both are refused as unsendable.
 */
public final class UrlConnectionCaller implements HttpCaller {

    private final Watchdog watchdog = new Watchdog();

    @Override
    public CallResult call(OutgoingRequest request, Duration timeout) {
        long start = System.nanoTime();
        HttpURLConnection c;
        try {
            c = (HttpURLConnection) request.uri().toURL().openConnection(Proxy.NO_PROXY);
            c.setInstanceFollowRedirects(false);
            c.setUseCaches(false);
            c.setConnectTimeout((int) Math.min(timeout.toMillis(), JdkHttpCaller.CONNECT_TIMEOUT.toMillis()));
            c.setReadTimeout((int) Math.max(1, timeout.toMillis()));
            c.setRequestMethod(request.method().name());
            request.headers().forEach(c::setRequestProperty);
        } catch (ProtocolException | IllegalArgumentException e) {
            return new CallResult.NoResponse(CallResult.Failure.UNSENDABLE, String.valueOf(e.getMessage()), Responses.since(start));
        } catch (IOException e) {
            return Responses.failure(e, false, timeout, Responses.since(start));
        }
        if (request.body().isPresent() && request.method().name().equals("GET")) {
            return new CallResult.NoResponse(CallResult.Failure.UNSENDABLE,
                    "HttpURLConnection would send a GET with a body as POST", Responses.since(start));
        }
        try (Watchdog.Armed armed = watchdog.arm(timeout, c::disconnect)) {
            try {
                if (request.body().isPresent()) {
                    byte[] body = request.body().get().getBytes(StandardCharsets.UTF_8);
                    c.setDoOutput(true);
                    c.setFixedLengthStreamingMode(body.length);
                    try (OutputStream out = c.getOutputStream()) {
                        out.write(body);
                    }
                }
                int status = c.getResponseCode();
                InputStream stream = status >= 400 ? c.getErrorStream() : c.getInputStream();
                String prefix = "";
                if (stream != null) {
                    try (stream) {
                        prefix = Responses.prefix(stream, start + timeout.toNanos());
                    }
                }
                if (armed.fired()) {
                    return Responses.failure(new IOException("timed out"), true, timeout, Responses.since(start));
                }
                return new CallResult.Responded(status, java.util.Optional.ofNullable(c.getHeaderField("Retry-After")), prefix, Responses.since(start));
            } catch (IOException | IllegalArgumentException | IllegalStateException e) {
                return Responses.failure(e, armed.fired(), timeout, Responses.since(start));
            }
        }
    }
}
