package dev.errand.core.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class JobIdsTest {

    @Test
    void makesVersion7IdsCarryingTheTime() {
        Instant at = Instant.parse("2026-11-25T10:00:00.123Z");
        JobId id = new JobIds(Clock.fixed(at, ZoneOffset.UTC), new SplittableRandom(1)).next();
        UUID uuid = UUID.fromString(id.value());
        assertThat(uuid.version()).isEqualTo(7);
        assertThat(uuid.variant()).isEqualTo(2);
        assertThat(uuid.getMostSignificantBits() >>> 16).isEqualTo(at.toEpochMilli());
    }

    @Test
    void laterIdsSortAfterEarlierOnes() {
        JobId first = new JobIds(Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC), new SplittableRandom(1)).next();
        JobId second = new JobIds(Clock.fixed(Instant.parse("2026-01-01T00:00:00.001Z"), ZoneOffset.UTC), new SplittableRandom(2)).next();
        assertThat(first.value()).isLessThan(second.value());
    }

    @Test
    void idsInOneMillisecondDiffer() {
        JobIds ids = new JobIds(Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC), new SplittableRandom(3));
        Set<JobId> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            assertThat(seen.add(ids.next())).isTrue();
        }
    }

    @Test
    void parsesOnlyWellFormedIds() {
        assertThat(JobId.parse("01a212a1-78db-7aa0-858b-637a0979e777")).isPresent();
        assertThat(JobId.parse("01a212a1-78db-4aa0-858b-637a0979e777")).isEmpty();
        assertThat(JobId.parse("01A212A1-78DB-7AA0-858B-637A0979E777")).isEmpty();
        assertThat(JobId.parse("../../etc")).isEmpty();
        assertThatThrownBy(() -> new JobId("x")).hasMessageContaining("UUIDv7");
    }
}
