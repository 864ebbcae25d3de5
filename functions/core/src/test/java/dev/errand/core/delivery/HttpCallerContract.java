package dev.errand.core.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.errand.core.job.HttpMethod;
import dev.errand.testkit.Ports;
import dev.errand.testkit.Provider;
import dev.errand.testkit.Provider.Reply;
import dev.errand.testkit.ResettingServer;
import dev.errand.testkit.TricklingServer;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What every {@link HttpCaller} must do, against real servers: send the job as asked, never follow a
 * redirect, keep the first KiB of a body, end every call by its timeout (a slow body included), classify
 * refused, reset and timed-out calls, and never throw. Extend it with the caller under test.
 */
public abstract class HttpCallerContract {

    /** Generous beside the timeouts below: the contract is that a call ends, not how fast. */
    private static final Duration SLACK = Duration.ofSeconds(2);
    private static final Duration TIMEOUT = Duration.ofMillis(500);
    private static final Duration ENOUGH = Duration.ofSeconds(5);

    private Provider provider;
    private HttpCaller caller;

    protected abstract HttpCaller caller();

    /** HTTPS with the test CA, unless the caller cannot be made to trust it. */
    protected Provider.Options providerOptions() {
        return Provider.Options.HTTPS;
    }

    @BeforeEach
    void start() {
        provider = Provider.start(providerOptions(), call -> Reply.status(200).withBody("{\"ok\":true}"));
        caller = caller();
    }

    @AfterEach
    void stop() {
        provider.close();
    }

    private static OutgoingRequest request(URI uri, HttpMethod method, Optional<String> body) {
        return new OutgoingRequest(uri, method, Map.of("Idempotency-Key", "job-1", "X-Trace", "abc", "Content-Type", "application/json"), body);
    }

    @ParameterizedTest
    @EnumSource(value = HttpMethod.class, names = {"POST", "PUT", "PATCH", "DELETE"})
    protected void sendsTheMethodPathHeadersAndBodyAsAsked(HttpMethod method) {
        CallResult result = caller.call(request(provider.url().resolve("/hooks/1"), method, Optional.of("{\"n\":1}")), ENOUGH);

        assertThat(result).isInstanceOfSatisfying(CallResult.Responded.class, r -> {
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyPrefix()).isEqualTo("{\"ok\":true}");
        });
        Provider.Call call = provider.calls().getFirst();
        assertThat(call.method()).isEqualTo(method.name());
        assertThat(call.path()).isEqualTo("/hooks/1");
        assertThat(call.body()).isEqualTo("{\"n\":1}");
        assertThat(call.header("Idempotency-Key")).contains("job-1");
        assertThat(call.header("X-Trace")).contains("abc");
    }

    @Test
    protected void aGetStaysAGetWithOrWithoutABody() {
        caller.call(request(provider.url().resolve("/a"), HttpMethod.GET, Optional.empty()), ENOUGH);
        caller.call(request(provider.url().resolve("/b"), HttpMethod.GET, Optional.of("{}")), ENOUGH);

        assertThat(provider.calls()).extracting(Provider.Call::method).containsExactly("GET", "GET");
    }

    @Test
    void neverFollowsARedirect() {
        try (Provider elsewhere = Provider.start(providerOptions(), call -> Reply.status(200))) {
            provider.answer(call -> Reply.status(302).withHeader("Location", elsewhere.url() + "/stolen"));

            CallResult result = caller.call(request(provider.url().resolve("/go"), HttpMethod.POST, Optional.of("{}")), ENOUGH);

            assertThat(result).isInstanceOfSatisfying(CallResult.Responded.class, r -> assertThat(r.status()).isEqualTo(302));
            assertThat(elsewhere.calls()).isEmpty();
        }
    }

    @Test
    void keepsTheFirstKibOfAFailuresBodyAndItsRetryAfter() {
        String big = "x".repeat(5000);
        provider.answer(call -> Reply.status(503).withBody("E" + big).withHeader("Retry-After", "120"));

        CallResult result = caller.call(request(provider.url(), HttpMethod.POST, Optional.of("{}")), ENOUGH);

        assertThat(result).isInstanceOfSatisfying(CallResult.Responded.class, r -> {
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.retryAfter()).contains("120");
            assertThat(r.bodyPrefix()).hasSize(JdkHttpCaller.BODY_PREFIX_BYTES).isEqualTo(("E" + big).substring(0, JdkHttpCaller.BODY_PREFIX_BYTES));
        });
    }

    @Test
    void aLateAnswerTimesOut() {
        provider.answer(call -> Reply.status(200).after(Duration.ofSeconds(10)));

        CallResult result = caller.call(request(provider.url(), HttpMethod.POST, Optional.of("{}")), TIMEOUT);

        assertThat(result).isInstanceOfSatisfying(CallResult.NoResponse.class,
                n -> assertThat(n.failure()).as(n.detail()).isEqualTo(CallResult.Failure.TIMEOUT));
        assertThat(result.latency()).isLessThan(TIMEOUT.plus(SLACK));
    }

    @Test
    void aBodyThatTricklesInTimesOutToo() throws Exception {
        try (TricklingServer slow = TricklingServer.start(Duration.ofMillis(100))) {
            CallResult result = caller.call(request(slow.url(), HttpMethod.POST, Optional.of("{}")), TIMEOUT);

            assertThat(result).isInstanceOfSatisfying(CallResult.NoResponse.class,
                    n -> assertThat(n.failure()).as(n.detail()).isEqualTo(CallResult.Failure.TIMEOUT));
            assertThat(result.latency()).isLessThan(TIMEOUT.plus(SLACK));
        }
    }

    @Test
    void aClosedPortIsARefusedConnection() {
        CallResult result = caller.call(request(URI.create("http://127.0.0.1:" + Ports.closed() + "/"), HttpMethod.POST,
                Optional.of("{}")), ENOUGH);

        assertThat(result).isInstanceOfSatisfying(CallResult.NoResponse.class,
                n -> assertThat(n.failure()).as(n.detail()).isEqualTo(CallResult.Failure.CONNECTION_REFUSED));
    }

    /** Both are retried alike; the JDK client names a reset before any answer "header parser received no bytes" (NETWORK). */
    @Test
    void aConnectionBrokenMidCallIsARetryableNetworkFailure() throws Exception {
        try (ResettingServer resetting = ResettingServer.start()) {
            CallResult result = caller.call(request(resetting.url(), HttpMethod.POST, Optional.of("{}")), ENOUGH);

            assertThat(result).isInstanceOfSatisfying(CallResult.NoResponse.class,
                    n -> assertThat(n.failure()).as(n.detail()).isIn(CallResult.Failure.CONNECTION_RESET, CallResult.Failure.NETWORK));
        }
    }

    @Test
    void aRequestThatCannotBeSentIsReportedNotThrown() {
        OutgoingRequest broken = new OutgoingRequest(provider.url(), HttpMethod.POST, Map.of("X-Bad", "line\r\nInjected: yes"), Optional.empty());

        CallResult result = caller.call(broken, ENOUGH);

        assertThat(result).isInstanceOfSatisfying(CallResult.NoResponse.class,
                n -> assertThat(n.failure()).as(n.detail()).isEqualTo(CallResult.Failure.UNSENDABLE));
        assertThat(provider.calls()).isEmpty();
    }
}
