package dev.errand.core.record;

import static org.assertj.core.api.Assertions.assertThat;

import dev.errand.core.record.JobLife.Event;
import dev.errand.core.record.JobLife.Refusal;
import dev.errand.core.record.JobLife.Rule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The promises the job life table keeps, checked for every status (and no record) against every event. */
class JobLifeTest {

    private static List<Optional<JobStatus>> everyStatus() {
        List<Optional<JobStatus>> all = new ArrayList<>();
        all.add(Optional.empty());
        for (JobStatus s : JobStatus.values()) {
            all.add(Optional.of(s));
        }
        return all;
    }

    @Test
    void nothingMovesAJobThatSucceededOrWasCancelled() {
        for (Event e : Event.values()) {
            assertThat(JobLife.rule(Optional.of(JobStatus.SUCCEEDED), e)).as("succeeded x " + e).isInstanceOf(Rule.Refused.class);
            assertThat(JobLife.rule(Optional.of(JobStatus.CANCELLED), e)).as("cancelled x " + e).isInstanceOf(Rule.Refused.class);
        }
    }

    @Test
    void onlyARedrivenClaimOrARequeueRevivesAJobInTheDeadLetterQueue() {
        for (JobStatus dead : List.of(JobStatus.FAILED, JobStatus.DEAD)) {
            for (Event e : Event.values()) {
                Rule rule = JobLife.rule(Optional.of(dead), e);
                boolean revives = e == Event.CLAIM_REDRIVEN || e == Event.REQUEUE;
                assertThat(rule instanceof Rule.Move).as(dead + " x " + e).isEqualTo(revives);
            }
            assertThat(JobLife.rule(Optional.of(dead), Event.CLAIM)).as("a plain copy is dead-lettered, not called")
                    .isEqualTo(new Rule.Refused(Refusal.FINAL));
        }
    }

    @Test
    void theOutcomeOfACallMovesOnlyTheRunningRecordThatClaimedIt() {
        for (Event outcome : List.of(Event.SUCCEED, Event.RETRY, Event.REFUSE, Event.EXHAUST)) {
            for (Optional<JobStatus> from : everyStatus()) {
                Rule rule = JobLife.rule(from, outcome);
                if (from.equals(Optional.of(JobStatus.RUNNING))) {
                    assertThat(rule).isInstanceOf(Rule.Move.class);
                    assertThat(((Rule.Move) rule).guard()).isEqualTo(JobLife.Guard.AT_CLAIMED_ATTEMPT);
                } else {
                    assertThat(rule).as(from + " x " + outcome).isInstanceOf(Rule.Refused.class);
                }
            }
        }
    }

    @Test
    void aRunningCallIsNeverClaimedOrGivenUpOnUnderItsLease() {
        for (Event e : List.of(Event.CLAIM, Event.CLAIM_REDRIVEN, Event.DROP, Event.EXPIRE)) {
            assertThat(JobLife.rule(Optional.of(JobStatus.RUNNING), e)).isInstanceOfSatisfying(Rule.Move.class,
                    m -> assertThat(m.guard()).as("running x " + e).isEqualTo(JobLife.Guard.LEASE_OVER));
        }
    }

    @Test
    void everyEventLeadsToOneStatusAndTheStatusesItLeadsToAreReachable() {
        for (Event e : Event.values()) {
            JobStatus to = JobLife.target(e);
            for (Optional<JobStatus> from : everyStatus()) {
                if (JobLife.rule(from, e) instanceof Rule.Move m) {
                    assertThat(m.to()).as(from + " x " + e).isEqualTo(to);
                }
            }
        }
        List<JobStatus> reached = new ArrayList<>();
        for (Event e : Event.values()) {
            reached.add(JobLife.target(e));
        }
        assertThat(reached).containsAll(List.of(JobStatus.values()));
    }

    @Test
    void theCellsTheStoreEnforcesAreTheCellsTheTableHolds() {
        for (Event e : Event.values()) {
            for (JobStatus s : JobStatus.values()) {
                boolean moves = JobLife.rule(Optional.of(s), e) instanceof Rule.Move;
                assertThat(JobLife.movesFrom(e).containsKey(s)).as(s + " x " + e).isEqualTo(moves);
            }
            assertThat(JobLife.createsRecord(e)).isEqualTo(JobLife.rule(Optional.empty(), e) instanceof Rule.Move);
        }
    }

    @Test
    void docsApiMdShowsTheTableAsTheCodeHoldsIt() throws IOException {
        String api = Files.readString(Path.of("../../docs/api.md"));
        assertThat(api).contains(JobLife.markdown());
    }

    @Test
    void aRunOfDeferralsContinuesOnlyOnCopiesDeferredOnTheirFirstReceive() {
        Instant start = Instant.parse("2026-12-01T00:00:00Z");
        Instant now = start.plusSeconds(100);
        assertThat(JobLife.deferredSince(Optional.empty(), 1, now)).as("the first deferral starts the run").isEqualTo(now);
        assertThat(JobLife.deferredSince(Optional.of(start), 1, now)).as("a deferred copy deferred again").isEqualTo(start);
        assertThat(JobLife.deferredSince(Optional.of(start), 2, now)).as("received before: a call came between").isEqualTo(now);
        assertThat(JobLife.deferredTooLong(start, start.plusSeconds(59), Duration.ofMinutes(1))).isFalse();
        assertThat(JobLife.deferredTooLong(start, start.plusSeconds(60), Duration.ofMinutes(1))).isTrue();
    }

    @Test
    void aDeferralNeverWaitsPastTheBoundSoTheJobIsDeadLetteredWhenItsTimeIsUp() {
        Instant start = Instant.parse("2026-12-01T00:00:00Z");
        Duration bound = Duration.ofMinutes(1);
        assertThat(JobLife.deferralWait(Duration.ofSeconds(30), start, start.plusSeconds(10), bound)).isEqualTo(Duration.ofSeconds(30));
        assertThat(JobLife.deferralWait(Duration.ofMinutes(5), start, start.plusSeconds(10), bound)).as("cut to what is left")
                .isEqualTo(Duration.ofSeconds(50));
        assertThat(JobLife.deferralWait(Duration.ofSeconds(-3), start, start.plusSeconds(10), bound)).isEqualTo(Duration.ZERO);
        Instant back = start.plusSeconds(10).plus(JobLife.deferralWait(Duration.ofMinutes(5), start, start.plusSeconds(10), bound));
        assertThat(JobLife.deferredTooLong(start, back, bound)).as("back exactly when the bound is reached").isTrue();
    }
}
