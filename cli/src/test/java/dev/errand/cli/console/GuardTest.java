package dev.errand.cli.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.Headers;
import java.net.URI;
import java.security.SecureRandom;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each rule of the console's guard on its own; the browser tests show them against a real browser. */
class GuardTest {

    private final Guard guard = new Guard(Guard.newToken(new SecureRandom()), 4100);
    private final String cookie = "errand_console_4100=" + guard.token();

    private static Headers headers(Map<String, String> values) {
        Headers headers = new Headers();
        values.forEach(headers::add);
        return headers;
    }

    private Guard.Verdict check(String method, String uri, Map<String, String> values) {
        return guard.check(method, URI.create(uri), headers(values));
    }

    @Test
    void tokensAreLongAndFreshEachRun() {
        assertThat(guard.token()).hasSize(43).isNotEqualTo(Guard.newToken(new SecureRandom()));
    }

    @Test
    void theLinkWithTheTokenSetsAStrictHttpOnlyCookie() {
        assertThat(check("GET", "/?token=" + guard.token(), Map.of("Host", "127.0.0.1:4100")))
                .isEqualTo(new Guard.Verdict.SetCookie(cookie + "; Path=/; HttpOnly; SameSite=Strict"));
        assertThat(check("GET", "/?token=nope", Map.of("Host", "127.0.0.1:4100"))).isInstanceOf(Guard.Verdict.Refused.class);
        assertThat(check("POST", "/?token=" + guard.token(), Map.of("Host", "127.0.0.1:4100"))).isInstanceOf(Guard.Verdict.Refused.class);
    }

    @Test
    void pagesNeedTheCookieAndApiCallsTheConsoleHeaderToo() {
        assertThat(check("GET", "/", Map.of("Host", "localhost:4100", "Cookie", "other=1; " + cookie))).isEqualTo(new Guard.Verdict.Allowed());
        assertThat(check("GET", "/", Map.of("Host", "127.0.0.1:4100"))).isInstanceOf(Guard.Verdict.Refused.class);
        assertThat(check("GET", "/", Map.of("Host", "127.0.0.1:4100", "Cookie", "errand_console_4100=" + guard.token() + "x")))
                .isInstanceOf(Guard.Verdict.Refused.class);
        assertThat(check("GET", "/api/overview", Map.of("Host", "127.0.0.1:4100", "Cookie", cookie))).isInstanceOf(Guard.Verdict.Refused.class);
        assertThat(check("GET", "/api/overview", Map.of("Host", "127.0.0.1:4100", "Cookie", cookie, Guard.CONSOLE_HEADER, "1")))
                .isEqualTo(new Guard.Verdict.Allowed());
    }

    @Test
    void anotherHostOrOriginIsRefusedWhateverItCarries() {
        Map<String, String> valid = Map.of("Cookie", cookie, Guard.CONSOLE_HEADER, "1");
        assertThat(check("GET", "/api/overview", with(valid, "Host", "rebound.example:4100")))
                .isEqualTo(new Guard.Verdict.Refused("this console answers only as 127.0.0.1:4100, not as 'rebound.example:4100'"));
        assertThat(check("GET", "/api/overview", with(valid, "Host", "127.0.0.1:4101"))).isInstanceOf(Guard.Verdict.Refused.class);
        assertThat(check("POST", "/api/redrive/plan", with(with(valid, "Host", "127.0.0.1:4100"), "Origin", "http://127.0.0.1:8080")))
                .isEqualTo(new Guard.Verdict.Refused("a page of http://127.0.0.1:8080 may not use this console"));
        assertThat(check("POST", "/api/redrive/plan", with(with(valid, "Host", "127.0.0.1:4100"), "Origin", "http://127.0.0.1:4100")))
                .isEqualTo(new Guard.Verdict.Allowed());
        assertThat(check("OPTIONS", "/api/redrive/plan", with(valid, "Host", "127.0.0.1:4100"))).isInstanceOf(Guard.Verdict.Refused.class);
    }

    private static Map<String, String> with(Map<String, String> values, String name, String value) {
        Map<String, String> more = new java.util.HashMap<>(values);
        more.put(name, value);
        return more;
    }
}
