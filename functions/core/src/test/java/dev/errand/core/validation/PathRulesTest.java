package dev.errand.core.validation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.errand.core.target.Auth;
import dev.errand.core.target.Target;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PathRulesTest {

    private static final Target TARGET = new Target("crm", URI.create("https://crm.example.com:8443/api"),
            Duration.ofSeconds(5), 10, 5, false, Auth.NONE);

    @ParameterizedTest
    @ValueSource(strings = {
            "http://evil.example/x", "https://evil.example", "//evil.example/x", "///evil", "evil.example/x",
            "/\\evil.example", "\\\\evil.example", "/..", "/../admin", "/a/../../x", "/a/..", "/..;/x", "/a/b/..%2f",
            "/%2e%2e/x", "/%2E%2E/x", "/.%2e/x", "/%2e./x", "/%252e%252e/x", "/a%2fb", "/a%2F..", "/%5cevil", "/%5Cevil",
            "/@evil.example", "/a@evil.example", "/%40evil.example", "/x#frag", "/x?y=1#z", " /x", "/x y", "/x\r\nHost: evil",
            "/x\tz", "/%u002e%u002e", "/%zz", "/%2", "/ａｂ", "/é", "javascript:alert(1)", "/a//b", "/a/b//"
    })
    void refusesPathsThatCouldEscapeTheBaseUrl(String path) {
        assertThat(PathRules.problem(path)).as(path).isPresent();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/", "/contacts", "/contacts/42", "/v1/a-b_c.d~e/f", "/search?q=a%20b&redirect=https%3A%2F%2Fx",
            "/items;version=2", "/a:b", "/x?next=/a/../b", "/caf%C3%A9", "/a.b/c.json"})
    void acceptsOrdinaryPaths(String path) {
        assertThat(PathRules.problem(path)).as(path).isEmpty();
        URI resolved = TARGET.resolve(path).orElseThrow();
        assertThat(resolved.getHost()).isEqualTo("crm.example.com");
        assertThat(resolved.getPort()).isEqualTo(8443);
        assertThat(resolved.getScheme()).isEqualTo("https");
        assertThat(resolved.getRawPath()).startsWith("/api");
    }

    private static final Target BARE = new Target("bare", URI.create("https://crm.example.com"),
            Duration.ofSeconds(5), 10, 5, false, Auth.NONE);

    @ParameterizedTest
    @ValueSource(strings = {"@evil.example/x", ".evil.example", ":80@evil", "evil", "%"})
    void theSecondLineHoldsEvenWithoutTheFirst(String path) {
        // Target.resolve on its own, behind a bare host: it must refuse what PathRules would have caught
        assertThat(BARE.resolve(path)).as(path).isEmpty();
    }
}
