package dev.errand.core.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.errand.core.delivery.CallResult;
import dev.errand.core.target.RateLimit;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The fleet's rules, pure: the admission ladder, the probe interval, the token bucket, the provider's signals. */
class TargetStateTest {

    private static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");

    @Test
    void aPauseComesBeforeAHoldWhichComesBeforeTheBreaker() {
        TargetState open = TargetState.fresh("crm").opened(NOW.plusSeconds(5), Duration.ofSeconds(5));
        TargetState held = open.held(new TargetState.Hold(NOW.plusSeconds(30), "HTTP 429"));
        TargetState paused = new TargetState("crm", true, 5, Optional.of(NOW.plusSeconds(5)), Duration.ofSeconds(5), Optional.empty(),
                Optional.of(new TargetState.Pause(Optional.empty(), "maintenance", "ops@example.com", NOW)), held.hold(), Optional.empty());

        assertThat(paused.admission(NOW)).isInstanceOfSatisfying(TargetState.Admission.Wait.class, w -> {
            assertThat(w.why()).isEqualTo(TargetState.Why.PAUSED);
            assertThat(w.until()).isEmpty();
            assertThat(w.reason()).isEqualTo("target 'crm' is paused by ops@example.com until resumed: maintenance");
        });
        assertThat(held.admission(NOW)).isEqualTo(new TargetState.Admission.Wait(Optional.of(NOW.plusSeconds(30)), TargetState.Why.HELD, "HTTP 429"));
        assertThat(open.admission(NOW)).isInstanceOfSatisfying(TargetState.Admission.Wait.class,
                w -> assertThat(w.why()).isEqualTo(TargetState.Why.OPEN));
        assertThat(open.admission(NOW.plusSeconds(5))).as("probe time").isEqualTo(new TargetState.Admission.ProbeDue());
        assertThat(TargetState.fresh("crm").admission(NOW)).isEqualTo(new TargetState.Admission.Closed());
    }

    @Test
    void oneInvocationProbesAndAProbeWhoseHolderDiedIsFreedByItsLease() {
        TargetState probing = TargetState.fresh("crm").opened(NOW, Duration.ofSeconds(5))
                .probing(new TargetState.Lease("invocation-1", NOW.plusSeconds(12)));

        assertThat(probing.admission(NOW.plusSeconds(1))).isInstanceOfSatisfying(TargetState.Admission.Wait.class,
                w -> assertThat(w.why()).isEqualTo(TargetState.Why.PROBING));
        assertThat(probing.shown(NOW.plusSeconds(1))).isEqualTo("half-open");
        assertThat(probing.admission(NOW.plusSeconds(12))).as("the lease ran out").isEqualTo(new TargetState.Admission.ProbeDue());
    }

    @Test
    void aPauseForAWhileEndsByItself() {
        TargetState paused = new TargetState("crm", false, 0, Optional.empty(), Duration.ZERO, Optional.empty(),
                Optional.of(new TargetState.Pause(Optional.of(NOW.plusSeconds(60)), "", "me", NOW)), Optional.empty(), Optional.empty());
        assertThat(paused.shown(NOW.plusSeconds(59))).isEqualTo("paused");
        assertThat(paused.admission(NOW.plusSeconds(60))).isEqualTo(new TargetState.Admission.Closed());
    }

    @Test
    void theOpenIntervalStartsAtFiveSecondsDoublesWithJitterAndStopsAtFiveMinutes() {
        assertThat(TargetState.nextInterval(Duration.ZERO, 0.5)).isEqualTo(Duration.ofSeconds(5));
        assertThat(TargetState.nextInterval(Duration.ofSeconds(5), 0.5)).isEqualTo(Duration.ofSeconds(10));
        assertThat(TargetState.nextInterval(Duration.ofSeconds(10), 0.0)).isEqualTo(Duration.ofSeconds(16));
        assertThat(TargetState.nextInterval(Duration.ofSeconds(10), 1.0)).isEqualTo(Duration.ofSeconds(24));
        assertThat(TargetState.nextInterval(Duration.ofMinutes(4), 0.5)).isEqualTo(TargetState.LONGEST_PROBE_INTERVAL);
        Duration d = Duration.ZERO;
        for (int i = 0; i < 20; i++) {
            d = TargetState.nextInterval(d, 1.0);
        }
        assertThat(d).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void theBucketRefillsAtItsRateAndNeverPastItsBurst() {
        RateLimit rate = new RateLimit(20, 20);
        TargetState.Bucket full = TargetState.Bucket.full(NOW);
        TargetState.Bucket empty = full.taken(18, rate, NOW);

        assertThat(full.available(rate, NOW)).as("the burst less 100 ms of calls at 20/s").isEqualTo(18);
        assertThat(empty.available(rate, NOW)).isZero();
        assertThat(empty.available(rate, NOW.plusMillis(250))).isEqualTo(5);
        assertThat(empty.available(rate, NOW.plusSeconds(10))).as("never past the burst").isEqualTo(18);
        assertThat(empty.untilTokens(1, rate, NOW)).isEqualTo(Duration.ofMillis(50));
        assertThat(empty.untilTokens(10, rate, NOW)).isEqualTo(Duration.ofMillis(500));
        assertThat(full.taken(5, rate, NOW).taken(5, rate, NOW).available(rate, NOW)).isEqualTo(8);
        assertThat(TargetState.Bucket.full(NOW).taken(1, new RateLimit(0.5, 1), NOW).untilTokens(1, new RateLimit(0.5, 1), NOW))
                .isEqualTo(Duration.ofSeconds(2));
        assertThat(TargetState.Bucket.latestBefore(5, rate, NOW)).isEqualTo(NOW.plusMillis(650));
    }

    @Test
    void theBucketKeepsAHundredMillisecondsOfCallsInHandNeverHalfItsBurst() {
        assertThat(new RateLimit(20, 20).tokensAtOnce()).isEqualTo(18);
        assertThat(new RateLimit(10, 5).tokensAtOnce()).isEqualTo(4);
        assertThat(new RateLimit(1, 1).tokensAtOnce()).as("a burst of one stays one").isEqualTo(1);
        assertThat(new RateLimit(0.5, 3).tokensAtOnce()).isEqualTo(2);
        assertThat(new RateLimit(1000, 10).tokensAtOnce()).as("never under half the burst").isEqualTo(5);
    }

    @Test
    void tokensNotUsedGoBackOnlyWhileTheirTimeIsAhead() {
        RateLimit rate = new RateLimit(20, 20);
        Instant leftAt = NOW.plusMillis(500);
        assertThat(TargetState.Bucket.returnable(4, rate, leftAt, NOW)).isEqualTo(4);
        assertThat(TargetState.Bucket.returnable(4, rate, leftAt, NOW.plusMillis(400))).as("two slots still ahead").isEqualTo(2);
        assertThat(TargetState.Bucket.returnable(4, rate, leftAt, NOW.plusSeconds(2))).as("refilled past them: none").isZero();
    }

    @Test
    void aProviderThatAsksEveryJobToWaitHoldsTheTarget() {
        CallResult tooMany = new CallResult.Responded(429, Optional.of("5"), "", Duration.ZERO);
        CallResult maintenance = new CallResult.Responded(503, Optional.of("Wed, 02 Dec 2026 10:01:00 GMT"), "", Duration.ZERO);
        CallResult usedUp = new CallResult.Responded(200, Optional.empty(), "", Duration.ZERO,
                new CallResult.RateHints(Optional.of("0"), Optional.of("7")));
        CallResult usedUpUnix = new CallResult.Responded(429, Optional.empty(), "", Duration.ZERO,
                new CallResult.RateHints(Optional.of("0"), Optional.of(String.valueOf(NOW.plusSeconds(90).getEpochSecond()))));
        CallResult someLeft = new CallResult.Responded(200, Optional.empty(), "", Duration.ZERO,
                new CallResult.RateHints(Optional.of("3"), Optional.of("7")));

        assertThat(ProviderSignals.hold(tooMany, NOW)).map(TargetState.Hold::until).contains(NOW.plusSeconds(5));
        assertThat(ProviderSignals.hold(tooMany, NOW)).map(TargetState.Hold::reason)
                .contains("the provider asked every job to wait (HTTP 429, Retry-After: 5)");
        assertThat(ProviderSignals.hold(maintenance, NOW)).map(TargetState.Hold::until).contains(NOW.plusSeconds(60));
        assertThat(ProviderSignals.hold(usedUp, NOW)).map(TargetState.Hold::until).contains(NOW.plusSeconds(7));
        assertThat(ProviderSignals.hold(usedUpUnix, NOW)).map(TargetState.Hold::until).contains(NOW.plusSeconds(90));
        assertThat(ProviderSignals.hold(someLeft, NOW)).isEmpty();
        assertThat(ProviderSignals.hold(new CallResult.Responded(500, Optional.of("5"), "", Duration.ZERO), NOW))
                .as("a plain 500's Retry-After is that job's").isEmpty();
        assertThat(ProviderSignals.hold(new CallResult.Responded(429, Optional.of("99999999"), "", Duration.ZERO), NOW))
                .map(TargetState.Hold::until).contains(NOW.plus(ProviderSignals.LONGEST_HOLD));
    }
}
