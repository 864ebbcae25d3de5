package dev.errand.core.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    private static RetryPolicy policy(double jitter) {
        return RetryPolicy.builder().maxAttempts(5).baseDelay(Duration.ofSeconds(30)).maxDelay(Duration.ofMinutes(3))
                .jitter(() -> jitter).build();
    }

    private static final Verdict.Transient UNAVAILABLE =
            new Verdict.Transient("HTTP 503", Optional.empty(), Optional.of(503));

    @Test
    void doublesFromTheBaseUpToTheCap() {
        RetryPolicy full = policy(1.0);
        assertThat(full.delay(1, Optional.empty())).isEqualTo(Duration.ofSeconds(30));
        assertThat(full.delay(2, Optional.empty())).isEqualTo(Duration.ofSeconds(60));
        assertThat(full.delay(3, Optional.empty())).isEqualTo(Duration.ofSeconds(120));
        assertThat(full.delay(4, Optional.empty())).isEqualTo(Duration.ofSeconds(180));
        assertThat(full.delay(60, Optional.empty())).isEqualTo(Duration.ofSeconds(180));
        assertThat(full.nominalGaps()).containsExactly(Duration.ofSeconds(30), Duration.ofSeconds(60),
                Duration.ofSeconds(120), Duration.ofSeconds(180));
    }

    @Test
    void fullJitterSpreadsTheWaitButNeverBelowOneSecond() {
        assertThat(policy(0.5).delay(3, Optional.empty())).isEqualTo(Duration.ofSeconds(60));
        assertThat(policy(0.0).delay(3, Optional.empty())).isEqualTo(RetryPolicy.SHORTEST_DELAY);
    }

    @Test
    void retryAfterWinsAndIsCappedAtTwelveHours() {
        RetryPolicy p = policy(0.1);
        assertThat(p.delay(1, Optional.of(Duration.ofSeconds(2)))).isEqualTo(Duration.ofSeconds(2));
        assertThat(p.delay(1, Optional.of(Duration.ofHours(9)))).isEqualTo(Duration.ofHours(9));
        assertThat(p.delay(1, Optional.of(Duration.ofDays(3)))).isEqualTo(Duration.ofHours(12));
        assertThat(p.delay(1, Optional.of(Duration.ZERO))).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void decidesByVerdictAndAttempt() {
        RetryPolicy p = policy(1.0);
        assertThat(p.decide(1, new Verdict.Success(204))).isEqualTo(new Outcome.Delivered(204));
        assertThat(p.decide(1, new Verdict.Permanent("HTTP 400", Optional.of(400)))).isEqualTo(new Outcome.Reject("HTTP 400", Outcome.Cause.REFUSED, true));
        assertThat(p.decide(4, UNAVAILABLE)).isEqualTo(new Outcome.Retry(Duration.ofSeconds(180), "HTTP 503"));
        assertThat(p.decide(5, UNAVAILABLE)).isEqualTo(new Outcome.Reject("gave up after 5 attempts; last: HTTP 503", Outcome.Cause.EXHAUSTED, true));
        assertThat(p.decide(9, UNAVAILABLE)).isInstanceOf(Outcome.Reject.class);
    }

    @Test
    void aWorstCaseScheduleCountsTwelveHoursPerGap() {
        assertThat(policy(1).worstCaseSchedule()).isEqualTo(Duration.ofHours(48));
    }

    @Test
    void refusesSettingsThatSqsCannotHonour() {
        assertThatThrownBy(() -> RetryPolicy.builder().maxAttempts(0)).hasMessage("maxAttempts must be at least 1, was 0");
        assertThatThrownBy(() -> RetryPolicy.builder().baseDelay(Duration.ofMillis(500)))
                .hasMessageContaining("baseDelay must be at least 1 s");
        assertThatThrownBy(() -> RetryPolicy.builder().maxDelay(Duration.ofHours(13)))
                .hasMessageContaining("maxDelay must be at most 12 h");
        assertThatThrownBy(() -> RetryPolicy.builder().baseDelay(Duration.ofMinutes(5)).maxDelay(Duration.ofMinutes(1)).build())
                .hasMessageContaining("must not be below baseDelay");
    }
}
