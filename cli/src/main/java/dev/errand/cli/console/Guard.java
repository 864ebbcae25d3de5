package dev.errand.cli.console;

import com.sun.net.httpserver.Headers;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Who may use the console: only this machine's browser, only with this run's token, only from the
 * console's own pages. The server binds to 127.0.0.1, so no other machine can connect; a page on any site
 * the operator visits could still send requests to 127.0.0.1, so each request must carry the token (a
 * cookie the first visit with {@code ?token=} sets), name this console in {@code Host} (a DNS-rebinding page
 * names its own host), and, for a request with an {@code Origin}, come from this console's origin (a
 * cross-site form or fetch names its own). Actions also need a header no cross-site request can carry
 * without a CORS preflight, which this server never allows.
 */
public final class Guard {

    /** 32 random bytes: not guessable in any number of tries a browser can make. */
    static final int TOKEN_BYTES = 32;
    /** The header the console's own script sends with every API call. */
    public static final String CONSOLE_HEADER = "X-Errand-Console";

    /** Why a request is refused, or that it may go on. */
    public sealed interface Verdict {
        record Allowed() implements Verdict {}

        /** Carries the token in its query: it sets the cookie and sends the browser to the page without it. */
        record SetCookie(String cookie) implements Verdict {}

        record Refused(String why) implements Verdict {}
    }

    private final String token;
    private final int port;
    private final Set<String> hosts;
    private final Set<String> origins;

    public Guard(String token, int port) {
        this.token = token;
        this.port = port;
        this.hosts = Set.of("127.0.0.1:" + port, "localhost:" + port);
        this.origins = Set.of("http://127.0.0.1:" + port, "http://localhost:" + port);
    }

    public static String newToken(SecureRandom random) {
        byte[] bytes = new byte[TOKEN_BYTES];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    public String token() {
        return token;
    }

    /** The cookie's name carries the port, so two consoles on one machine keep apart. */
    String cookieName() {
        return "errand_console_" + port;
    }

    public Verdict check(String method, URI uri, Headers headers) {
        String host = Optional.ofNullable(headers.getFirst("Host")).orElse("").toLowerCase(Locale.ROOT);
        if (!hosts.contains(host)) {
            return new Verdict.Refused("this console answers only as 127.0.0.1:" + port + ", not as '" + host + "'");
        }
        Optional<String> origin = Optional.ofNullable(headers.getFirst("Origin"));
        if (origin.isPresent() && !origins.contains(origin.get().toLowerCase(Locale.ROOT))) {
            return new Verdict.Refused("a page of " + origin.get() + " may not use this console");
        }
        if (method.equals("OPTIONS")) {
            return new Verdict.Refused("this console answers no cross-origin requests");
        }
        Optional<String> offered = query(uri, "token");
        if (offered.isPresent()) {
            return same(offered.get()) && method.equals("GET") ? new Verdict.SetCookie(cookie())
                    : new Verdict.Refused("the token in this link is not this console's; use the link errand console printed");
        }
        if (cookie(headers).filter(this::same).isEmpty()) {
            return new Verdict.Refused("this console needs its token: open the link errand console printed");
        }
        boolean api = uri.getPath().startsWith("/api/");
        if (api && !"1".equals(headers.getFirst(CONSOLE_HEADER))) {
            return new Verdict.Refused("API calls come from the console's own pages only");
        }
        return new Verdict.Allowed();
    }

    private String cookie() {
        return cookieName() + "=" + token + "; Path=/; HttpOnly; SameSite=Strict";
    }

    private Optional<String> cookie(Headers headers) {
        List<String> all = Optional.ofNullable(headers.get("Cookie")).orElse(List.of());
        for (String line : all) {
            for (String pair : line.split(";")) {
                String[] kv = pair.strip().split("=", 2);
                if (kv.length == 2 && kv[0].equals(cookieName())) {
                    return Optional.of(kv[1]);
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<String> query(URI uri, String name) {
        for (String pair : Optional.ofNullable(uri.getRawQuery()).orElse("").split("&")) {
            String[] kv = pair.split("=", 2);
            if (kv.length == 2 && kv[0].equals(name)) {
                return Optional.of(java.net.URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
            }
        }
        return Optional.empty();
    }

    private boolean same(String offered) {
        return MessageDigest.isEqual(offered.getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8));
    }
}
