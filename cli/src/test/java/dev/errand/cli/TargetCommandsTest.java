package dev.errand.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** errand targets list, show, pause and resume against the local runtime: its consumer, its target state table in moto. */
class TargetCommandsTest extends WithLocalErrand {

    /** What the CLI promises: every consumer sees a pause within this (each trusts its copy of the state for 1 s). */
    private static final Duration TAKES_EFFECT = Duration.ofSeconds(2);
    private static final String T = LocalErrand.PAUSED_TARGET;
    private static final int JOBS = 6;

    @AfterEach
    void resumed() {
        // the local Errand is shared with the other test classes: never leave a target paused
        errand.cli("targets", "resume", T);
    }

    @Test
    void aPausedTargetGetsNoCallAndItsJobsUseNoAttemptUntilResumedThenEachIsDeliveredOnce() {
        LocalErrand.Run paused = errand.cli("targets", "pause", T, "--reason", "ERP maintenance, INC-4411", "--by", "ops-alice");
        assertThat(paused.code()).as(paused.out() + paused.err()).isZero();
        assertThat(paused.out()).contains("paused '" + T + "' fleet-wide until resumed, by ops-alice: ERP maintenance, INC-4411",
                "state: paused");
        LocalErrand.pause(TAKES_EFFECT);

        List<String> jobs = new ArrayList<>();
        for (int i = 0; i < JOBS; i++) {
            jobs.add(errand.submit("{\"target\":\"" + T + "\",\"path\":\"/paused/" + i + "\"}"));
        }
        // long enough for each job to be received, put off, and looked at again once (10 s after a pause this young)
        LocalErrand.pause(Duration.ofSeconds(14));

        assertThat(jobs).as("no call reached the provider while paused").allSatisfy(id -> assertThat(errand.callsFor(id)).isZero());
        assertThat(jobs).as("and the jobs used no attempt").allSatisfy(id -> assertThat(errand.record(id)).containsEntry("attempts", 0));
        LocalErrand.Run list = errand.cli("targets", "list");
        assertThat(list.code()).as(list.err()).isZero();
        assertThat(list.out()).contains("TARGET", "STATE", "NEXT PROBE", "RATE", "DELIVERED", "DEFERRED")
                .containsPattern(T + " +paused +- +2/s, burst 2 .*by ops-alice, until resumed: ERP maintenance, INC-4411")
                .containsPattern("crm +\\S+ +\\S+ +none");
        LocalErrand.Run show = errand.cli("targets", "show", T);
        assertThat(show.code()).as(show.err()).isZero();
        assertThat(show.out()).contains("target " + T).containsPattern("state +paused").containsPattern("paused by +ops-alice")
                .containsPattern("pause reason +ERP maintenance, INC-4411").containsPattern("paused until +resumed")
                .containsPattern("rate +2/s, burst 2").containsPattern("base URL +" + errand.provider.url());

        LocalErrand.Run resumed = errand.cli("targets", "resume", T);
        assertThat(resumed.code()).as(resumed.err()).isZero();
        assertThat(resumed.out()).contains("resumed '" + T + "' fleet-wide", "state: closed");
        LocalErrand.within(Duration.ofSeconds(40), "every job delivered after the resume",
                () -> jobs.stream().allMatch(id -> "succeeded".equals(errand.record(id).get("status"))));
        LocalErrand.pause(Duration.ofSeconds(2));
        assertThat(jobs).as("each delivered exactly once, with its one attempt").allSatisfy(id -> {
            assertThat(errand.callsFor(id)).isEqualTo(1);
            assertThat(errand.record(id)).containsEntry("attempts", 1);
        });
        assertThat(errand.cli("targets", "list").out()).containsPattern(T + " +closed");
    }

    @Test
    void aPauseForAWhileSaysUntilWhenAndAnUnknownTargetOrDurationIsASettingToFix() {
        LocalErrand.Run timed = errand.cli("targets", "pause", T, "--for", "1h30m");
        assertThat(timed.code()).as(timed.err()).isZero();
        assertThat(timed.out()).containsPattern("paused '" + T + "' fleet-wide until 20\\d\\d-.*Z, by ");
        assertThat(errand.cli("targets", "show", T, "--json").out()).contains("\"state\" : \"paused\"")
                .containsPattern("\"paused until\" : \".*\\(in 1h(29|30)m\\)\"");

        for (String[] args : List.of(new String[] {"targets", "show", "nope"}, new String[] {"targets", "pause", "nope"},
                new String[] {"targets", "resume", "nope"})) {
            LocalErrand.Run unknown = errand.cli(args);
            assertThat(unknown.code()).as(String.join(" ", args)).isEqualTo(Errand.SETUP);
            assertThat(unknown.err()).contains("no target named 'nope' in the targets document", "its targets: crm, " + T);
        }
        LocalErrand.Run badFor = errand.cli("targets", "pause", T, "--for", "soon");
        assertThat(badFor.code()).isEqualTo(Errand.SETUP);
        assertThat(badFor.err()).contains("--for takes a duration such as 90s, 30m, 2h");

        LocalErrand.Run noTable = errand.cli("targets", "list", "--target-state-table", "no-such-table");
        assertThat(noTable.code()).isEqualTo(Errand.FAILED);
        assertThat(noTable.err()).contains("could not use the target state table no-such-table (DynamoDB at "
                + errand.runtime.motoEndpoint().orElseThrow(), "Check that the table exists there");
    }
}
