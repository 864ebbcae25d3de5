package dev.errand.core.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class OutcomeRulesTest {

    private static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");

    @ParameterizedTest(name = "HTTP {0} is {1}")
    @CsvSource({
            "200, Success", "201, Success", "202, Success", "204, Success", "299, Success",
            "301, Permanent", "302, Permanent", "304, Permanent", "307, Permanent",
            "400, Permanent", "401, Permanent", "403, Permanent", "404, Permanent", "409, Permanent", "410, Permanent", "422, Permanent",
            "408, Transient", "425, Transient", "429, Transient",
            "500, Transient", "501, Permanent", "502, Transient", "503, Transient", "504, Transient", "599, Transient"})
    void classifiesStatusesAsTheDesignTableSays(int status, String kind) {
        Verdict v = OutcomeRules.classify(new CallResult.Responded(status, Optional.empty(), "", Duration.ZERO), NOW);
        assertThat(v.getClass().getSimpleName()).isEqualTo(kind);
    }

    @ParameterizedTest
    @EnumSource(value = CallResult.Failure.class, names = {"TIMEOUT", "CONNECTION_REFUSED", "CONNECTION_RESET", "NETWORK"})
    void networkFailuresAreWorthRetrying(CallResult.Failure failure) {
        assertThat(OutcomeRules.classify(new CallResult.NoResponse(failure, "x", Duration.ZERO), NOW)).isInstanceOf(Verdict.Transient.class);
    }

    @ParameterizedTest
    @EnumSource(value = CallResult.Failure.class, names = "UNSENDABLE")
    void aRequestTheClientWillNotSendIsHopeless(CallResult.Failure failure) {
        assertThat(OutcomeRules.classify(new CallResult.NoResponse(failure, "x", Duration.ZERO), NOW)).isInstanceOf(Verdict.Permanent.class);
    }

    @ParameterizedTest
    @CsvSource({"120, 120", "'Wed, 25 Nov 2026 10:05:00 GMT', 300", "'Wed, 25 Nov 2026 09:00:00 GMT', 0"})
    void readsRetryAfterInBothForms(String header, long seconds) {
        var v = (Verdict.Transient) OutcomeRules.classify(
                new CallResult.Responded(429, Optional.of(header), "", Duration.ZERO), NOW);
        assertThat(v.retryAfter()).contains(Duration.ofSeconds(seconds));
    }

    @ParameterizedTest
    @CsvSource({"soon", "-5", "1.5", "''"})
    void ignoresARetryAfterItCannotRead(String header) {
        var v = (Verdict.Transient) OutcomeRules.classify(
                new CallResult.Responded(503, Optional.of(header), "", Duration.ZERO), NOW);
        assertThat(v.retryAfter()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({"400, 'HTTP 400: {\"error\":\"bad email\"}'", "302, HTTP 302 (redirects are not followed)"})
    void reasonsCarryTheStatusAndTheStartOfTheBody(int status, String reason) {
        String body = status == 400 ? "  {\"error\":\"bad email\"}\n" : "";
        var v = (Verdict.Permanent) OutcomeRules.classify(new CallResult.Responded(status, Optional.empty(), body, Duration.ZERO), NOW);
        assertThat(v.reason()).isEqualTo(reason);
    }
}
