package dev.errand.core.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.errand.core.auth.Authenticator.Credentials;
import dev.errand.core.auth.SecretSource.SecretValue;
import dev.errand.core.delivery.JdkHttpCaller;
import dev.errand.core.target.Auth;
import dev.errand.core.target.SecretRef;
import dev.errand.core.target.Target;
import dev.errand.testkit.Provider;
import dev.errand.testkit.Provider.Reply;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** OAuth2 client credentials against a real token endpoint over HTTPS; the client secret from a secret source. */
class OAuth2Test {

    private static final String CLIENT_SECRET = "cs-8d1f0e7a";
    private final TestClock clock = new TestClock();
    private final AtomicInteger issued = new AtomicInteger();
    private final AtomicReference<Reply> failure = new AtomicReference<>();
    private Provider tokens;
    private HttpClient http;

    @BeforeEach
    void start() {
        tokens = Provider.start(this::issue);
        http = JdkHttpCaller.defaultClient();
    }

    @AfterEach
    void stop() {
        tokens.close();
    }

    /** Checks the client's credentials and form as RFC 6749 4.4 says, then issues a numbered token after a moment. */
    private Reply issue(Provider.Call call) {
        if (failure.get() != null) {
            return failure.get();
        }
        Map<String, String> form = List.of(call.body().split("&")).stream().map(p -> p.split("=", 2))
                .collect(Collectors.toMap(p -> p[0], p -> URLDecoder.decode(p[1], StandardCharsets.UTF_8)));
        String basic = "Basic " + Base64.getEncoder().encodeToString(("errand:" + CLIENT_SECRET).getBytes(StandardCharsets.UTF_8));
        boolean client = call.header("authorization").filter(basic::equals).isPresent()
                || ("errand".equals(form.get("client_id")) && CLIENT_SECRET.equals(form.get("client_secret")));
        if (!call.method().equals("POST") || !"client_credentials".equals(form.get("grant_type")) || !client
                || !call.header("content-type").orElse("").startsWith("application/x-www-form-urlencoded")) {
            return Reply.status(401).withBody("{\"error\":\"invalid_client\"}");
        }
        return Reply.status(200).withBody("{\"access_token\":\"at-" + issued.incrementAndGet() + "-" + form.getOrDefault("scope", "")
                + "\",\"token_type\":\"bearer\",\"expires_in\":3600}").after(Duration.ofMillis(100));
    }

    private Target target(Auth.ClientAuth how) {
        return new Target("crm", URI.create("https://crm.example.com"), Duration.ofSeconds(5), 10, 5, false,
                new Auth.OAuth2(tokens.url().resolve("/oauth/token"), "errand", new SecretRef(SecretRef.Store.SSM, "/errand/crm-client"),
                        Optional.of("contacts:write"), how));
    }

    private SecretAuthenticator authenticator(SecretSource source) {
        return new SecretAuthenticator(source, () -> http, clock);
    }

    private static SecretSource secret() {
        return ref -> new SecretValue.Found(CLIENT_SECRET);
    }

    @Test
    void aBatchGetsOneTokenKeptUntilAMinuteBeforeItExpires() throws Exception {
        SecretAuthenticator authenticator = authenticator(secret());
        Target crm = target(Auth.ClientAuth.BASIC);

        List<Credentials> batch = inParallel(100, () -> authenticator.credentials(crm));
        clock.advance(Duration.ofSeconds(3600 - 61));
        Credentials stillKept = authenticator.credentials(crm);
        clock.advance(Duration.ofSeconds(2));
        Credentials renewed = authenticator.credentials(crm);

        assertThat(batch).containsOnly(new Credentials.Ready(Map.of("Authorization", "Bearer at-1-contacts:write")));
        assertThat(stillKept).isEqualTo(new Credentials.Ready(Map.of("Authorization", "Bearer at-1-contacts:write")));
        assertThat(renewed).isEqualTo(new Credentials.Ready(Map.of("Authorization", "Bearer at-2-contacts:write")));
        assertThat(tokens.calls()).hasSize(2);
    }

    @Test
    void theClientSecretMayGoInTheFormInstead() {
        assertThat(authenticator(secret()).credentials(target(Auth.ClientAuth.POST)))
                .isEqualTo(new Credentials.Ready(Map.of("Authorization", "Bearer at-1-contacts:write")));
        assertThat(tokens.calls().getFirst().header("authorization")).isEmpty();
    }

    @Test
    void after401sOneNewTokenIsFetchedAndEveryCallThatSentTheOldOneRetries() throws Exception {
        SecretAuthenticator authenticator = authenticator(secret());
        Target crm = target(Auth.ClientAuth.BASIC);
        Map<String, String> sent = ((Credentials.Ready) authenticator.credentials(crm)).headers();

        List<Boolean> retry = inParallel(50, () -> authenticator.refreshAfterUnauthorized(crm, sent));

        assertThat(retry).containsOnly(true);
        assertThat(tokens.calls()).as("the first token, then one more for all 50 401s").hasSize(2);
        assertThat(authenticator.credentials(crm)).isEqualTo(new Credentials.Ready(Map.of("Authorization", "Bearer at-2-contacts:write")));
    }

    @Test
    void aFailingTokenEndpointIsUnavailableAskedOncePerFiveSecondsAndNamesNoSecret() throws Exception {
        failure.set(Reply.status(400).withBody("{\"error\":\"invalid_client\",\"error_description\":\"bad secret " + CLIENT_SECRET + "\"}"));
        SecretAuthenticator authenticator = authenticator(secret());
        Target crm = target(Auth.ClientAuth.BASIC);

        List<Credentials> batch = inParallel(50, () -> authenticator.credentials(crm));
        failure.set(null);
        Credentials soon = authenticator.credentials(crm);
        clock.advance(Duration.ofSeconds(5));
        Credentials later = authenticator.credentials(crm);

        assertThat(batch).allSatisfy(c -> assertThat(c).isInstanceOfSatisfying(Credentials.Unavailable.class, u -> assertThat(authenticator.redact(u.reason()))
                .contains("the token endpoint " + tokens.url() + "/oauth/token answered HTTP 400: invalid_client").doesNotContain(CLIENT_SECRET)));
        assertThat(soon).isInstanceOf(Credentials.Unavailable.class);
        assertThat(later).isInstanceOf(Credentials.Ready.class);
        assertThat(tokens.calls()).hasSize(2);
        assertThat(authenticator.redact("token at-1-contacts:write and secret " + CLIENT_SECRET)).isEqualTo("token *** and secret ***");
    }

    @Test
    void aClientSecretThatDoesNotExistRefusesTheJob() {
        SecretAuthenticator authenticator = authenticator(ref -> new SecretValue.Refused("could not read " + ref + " (ParameterNotFound)"));

        assertThat(authenticator.credentials(target(Auth.ClientAuth.BASIC)))
                .isEqualTo(new Credentials.Refused("could not read ssm:/errand/crm-client (ParameterNotFound)"));
        assertThat(tokens.calls()).isEmpty();
    }

    private static <T> List<T> inParallel(int n, java.util.concurrent.Callable<T> work) throws Exception {
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<T>> running = IntStream.range(0, n).mapToObj(i -> threads.submit(work)).toList();
            List<T> results = new ArrayList<>();
            for (Future<T> f : running) {
                results.add(f.get());
            }
            return results;
        }
    }
}
