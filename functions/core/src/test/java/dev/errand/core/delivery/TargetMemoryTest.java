package dev.errand.core.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TargetMemoryTest {

    private static final Instant T0 = Instant.parse("2026-11-25T12:00:00Z");

    private final TargetMemory memory = new TargetMemory();

    @Test
    void aTargetNeverCalledIsNotTrusted() {
        assertThat(memory.trusted("crm", T0)).isFalse();
    }

    @Test
    void anAnswerIsTrustedForThirtySecondsAndNoLonger() {
        memory.heard("crm", new Verdict.Success(200), T0);

        assertThat(memory.trusted("crm", T0.plusSeconds(29))).isTrue();
        assertThat(memory.trusted("crm", T0.plus(TargetMemory.TRUSTED_FOR))).isFalse();
        assertThat(memory.trusted("email", T0.plusSeconds(1))).as("trust is per target").isFalse();
    }

    @Test
    void aPermanentRefusalStillShowsTheProviderIsUp() {
        memory.heard("crm", new Verdict.Permanent("HTTP 400", Optional.of(400)), T0);

        assertThat(memory.trusted("crm", T0.plusSeconds(1))).isTrue();
    }

    @Test
    void aRetryableFailureEndsTheTrustAtOnce() {
        memory.heard("crm", new Verdict.Success(200), T0);
        memory.heard("crm", new Verdict.Transient("HTTP 503", Optional.empty(), Optional.of(503)), T0.plusSeconds(1));

        assertThat(memory.trusted("crm", T0.plusSeconds(2))).isFalse();
    }
}
