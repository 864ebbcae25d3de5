package dev.errand.bench.callers;

import dev.errand.core.delivery.CallResult;
import dev.errand.core.delivery.JdkHttpCaller;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** What the stream-based callers share: the body prefix, and JdkHttpCaller's classification of failures. */
final class Responses {

    /** An HTTP field name (RFC 9110 token). */
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

    private Responses() {}

    /**
     * The first {@link JdkHttpCaller#BODY_PREFIX_BYTES} of a body; the rest is read and dropped, so the
     * connection can be reused. A body still arriving at {@code deadlineNanos} is a timeout, however
     * steadily it trickles (each read is quick, so read timeouts never fire).
     */
    static String prefix(InputStream body, long deadlineNanos) throws IOException {
        ByteArrayOutputStream kept = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        int n;
        while ((n = body.read(buffer)) >= 0) {
            if (System.nanoTime() - deadlineNanos > 0) {
                throw new SocketTimeoutException("the body was still arriving at the deadline");
            }
            int keep = Math.min(n, JdkHttpCaller.BODY_PREFIX_BYTES - kept.size());
            if (keep > 0) {
                kept.write(buffer, 0, keep);
            }
        }
        return kept.toString(StandardCharsets.UTF_8);
    }

    static CallResult failure(Throwable cause, boolean watchdogFired, Duration timeout, Duration latency) {
        String detail = Optional.ofNullable(cause.getMessage()).orElse(cause.getClass().getSimpleName());
        if (watchdogFired) {
            return new CallResult.NoResponse(CallResult.Failure.TIMEOUT, "no complete response within " + timeout.toMillis() + " ms", latency);
        }
        CallResult.Failure kind = switch (cause) {
            case SocketTimeoutException e -> CallResult.Failure.TIMEOUT;
            case ConnectException e -> CallResult.Failure.CONNECTION_REFUSED;
            case EOFException e -> CallResult.Failure.CONNECTION_RESET;
            case InterruptedIOException e -> CallResult.Failure.TIMEOUT;
            case IOException e when isReset(detail) -> CallResult.Failure.CONNECTION_RESET;
            case IllegalArgumentException e -> CallResult.Failure.UNSENDABLE;
            default -> CallResult.Failure.NETWORK;
        };
        return new CallResult.NoResponse(kind, detail, latency);
    }

    static boolean isReset(String detail) {
        String d = detail.toLowerCase(Locale.ROOT);
        return d.contains("reset") || d.contains("closed") || d.contains("broken pipe") || d.contains("eof")
                || d.contains("end of file") || d.contains("failed to respond");
    }

    /** Why a header cannot be sent as given (RFC 9110 token names, no CR, LF or NUL in values), if it cannot. */
    static Optional<String> invalidHeader(Map<String, String> headers) {
        for (Map.Entry<String, String> h : headers.entrySet()) {
            if (!TOKEN.matcher(h.getKey()).matches()) {
                return Optional.of("invalid header name '" + h.getKey() + "'");
            }
            if (h.getValue().chars().anyMatch(c -> c == '\r' || c == '\n' || c == 0)) {
                return Optional.of("invalid value for header " + h.getKey() + ": it holds a line break or NUL");
            }
        }
        return Optional.empty();
    }

    static Duration since(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }
}
