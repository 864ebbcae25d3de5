package dev.errand.core.validation;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Which headers a job may set on its outgoing call, and what their names and values may hold. */
public final class HeaderRules {

    /** More headers than this is a mistake, not a real call; it also keeps the queue message small. */
    public static final int MAX_HEADERS = 50;

    /** Servers commonly refuse header lines over 8 KiB. */
    public static final int MAX_VALUE_LENGTH = 8192;

    /**
     * All of a job's header names and values together: nginx's default request head is 4 buffers of 8 KiB,
     * so more would be refused by most providers; it also bounds the queue message (MessageBudget).
     */
    public static final int MAX_TOTAL_CHARS = 32 * 1024;

    private static final String HOP_BY_HOP = "is a hop-by-hop header, which belongs to one connection and is never forwarded";

    private static final Map<String, String> FORBIDDEN = Map.ofEntries(
            Map.entry("host", "is set from the target's base URL"),
            Map.entry("authorization", "is set by the target's auth configuration, never by a job"),
            Map.entry("proxy-authorization", HOP_BY_HOP),
            Map.entry("content-length", "is computed from the body"),
            Map.entry("connection", HOP_BY_HOP),
            Map.entry("keep-alive", HOP_BY_HOP),
            Map.entry("proxy-authenticate", HOP_BY_HOP),
            Map.entry("proxy-connection", HOP_BY_HOP),
            Map.entry("te", HOP_BY_HOP),
            Map.entry("trailer", HOP_BY_HOP),
            Map.entry("trailers", HOP_BY_HOP),
            Map.entry("transfer-encoding", HOP_BY_HOP),
            Map.entry("upgrade", HOP_BY_HOP),
            Map.entry("expect", "is managed by the HTTP client"),
            Map.entry("idempotency-key", "is set by Errand to the job id on every attempt"));

    private static final String TOKEN_MARKS = "!#$%&'*+-.^_`|~";

    private HeaderRules() {}

    /** Why a job may not send this header name, or empty when it may. */
    public static Optional<String> nameProblem(String name) {
        if (name.isEmpty()) {
            return Optional.of("a header name must not be empty");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean tchar = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || TOKEN_MARKS.indexOf(c) >= 0;
            if (!tchar) {
                return Optional.of("is not a valid header name: only letters, digits and " + TOKEN_MARKS + " are allowed");
            }
        }
        return Optional.ofNullable(FORBIDDEN.get(name.toLowerCase(Locale.ROOT)));
    }

    /** Why this header value cannot be sent, or empty when it can. */
    public static Optional<String> valueProblem(String value) {
        if (value.length() > MAX_VALUE_LENGTH) {
            return Optional.of("is " + value.length() + " characters long; the limit is " + MAX_VALUE_LENGTH);
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7f) {
                return Optional.of(String.format("must not contain the control character U+%04X", (int) c));
            }
            if (c > 0xff) {
                return Optional.of("must contain only Latin-1 characters; encode others (RFC 8187, or base64)");
            }
        }
        return Optional.empty();
    }
}
