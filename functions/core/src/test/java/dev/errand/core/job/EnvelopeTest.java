package dev.errand.core.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class EnvelopeTest {

    private final JobIds ids = new JobIds(Clock.fixed(Instant.parse("2026-11-25T10:00:00Z"), ZoneOffset.UTC),
            new SplittableRandom(7));

    private Job job(Optional<String> body) {
        return new Job(ids.next(), new JobRequest("crm", HttpMethod.PATCH, "/c/1?x=2", Map.of("X-Trace", "t"), body, 5),
                Instant.parse("2026-11-25T10:00:00.123Z"), 3);
    }

    @Test
    void roundTrips() {
        Job job = job(Optional.of("{\"a\":[1,2.50,\"é\"],\"n\":null}"));
        String text = Envelope.encode(job);
        assertThat(text).startsWith("{\"v\":1,\"jobId\":\"" + job.id() + "\"");
        assertThat(Envelope.decode(text)).isEqualTo(new Envelope.Decoded.Readable(job));
    }

    @Test
    void roundTripsWithoutBody() {
        Job job = job(Optional.empty());
        assertThat(Envelope.encode(job)).doesNotContain("\"body\"");
        assertThat(Envelope.decode(Envelope.encode(job))).isEqualTo(new Envelope.Decoded.Readable(job));
    }

    @Test
    void namesWhatMakesAMessageUnreadable() {
        String id = ids.next().value();
        assertThat(reason("not json")).startsWith("not JSON: ");
        assertThat(reason("[1]")).isEqualTo("not a job envelope: a JSON array");
        assertThat(reason("{\"v\":2,\"jobId\":\"" + id + "\"}")).isEqualTo("unsupported envelope version 2; this consumer reads version 1");
        assertThat(reason("{\"v\":1,\"jobId\":\"42\"}")).isEqualTo("jobId is missing or not a UUIDv7");
        assertThat(reason("{\"v\":1,\"jobId\":\"" + id + "\",\"submittedAt\":\"yesterday\"}"))
                .isEqualTo("submittedAt is missing or not an ISO-8601 instant");
        assertThat(reason("{\"v\":1,\"jobId\":\"" + id + "\",\"submittedAt\":\"2026-01-01T00:00:00Z\",\"attempts\":-1}"))
                .isEqualTo("attempts is missing or not a whole number of zero or more");
        assertThat(reason("{\"v\":1,\"jobId\":\"" + id + "\",\"submittedAt\":\"2026-01-01T00:00:00Z\",\"attempts\":0,\"request\":{\"path\":\"//x\"}}"))
                .isEqualTo("/request/target is required: the name of a configured target; "
                        + "/request/path must not contain '//': an empty segment can make the rest read as a host");
    }

    @Test
    void keepsTheJobIdOfAnUnreadableMessageWhenItCan() {
        String id = ids.next().value();
        var decoded = (Envelope.Decoded.Unreadable) Envelope.decode("{\"v\":1,\"jobId\":\"" + id + "\"}");
        assertThat(decoded.jobId()).contains(new JobId(id));
    }

    private static String reason(String message) {
        return ((Envelope.Decoded.Unreadable) Envelope.decode(message)).reason();
    }

    @Test
    void roundTripsARunAtANotifyAndTheJobANotificationReportsOn() {
        JobId subject = ids.next();
        Job job = new Job(ids.next(), new JobRequest("crm", HttpMethod.POST, "/x", Map.of(), Optional.empty(), 0,
                Optional.of(Instant.parse("2027-01-01T00:00:00Z")),
                Optional.of(new Notify("mail", "/hooks", java.util.Set.of(dev.errand.core.record.JobStatus.DEAD)))),
                Instant.parse("2026-11-25T10:00:00Z"), 0).notifying(subject);
        Envelope.Decoded decoded = Envelope.decode(Envelope.encode(job));
        assertThat(decoded).isEqualTo(new Envelope.Decoded.Readable(job));
        assertThat(job.dueAt()).isEqualTo(Instant.parse("2027-01-01T00:00:00Z"));
        assertThat(job.isScheduled()).isTrue();
        assertThat(Envelope.encode(job.deferred(0, Instant.now()))).as("a deferred copy keeps when it is due and whom it reports on")
                .contains("\"runAt\":\"2027-01-01T00:00:00Z\"", "\"notifies\":\"" + subject + "\"");
    }

    @Test
    void aDerivedIdIsAUuidV7OfTheSameTimeAndTheSameForTheSameInputs() {
        JobId job = ids.next();
        JobId a = JobIds.derived(job, "notify:succeeded@2026-11-25T10:00:01Z");
        assertThat(JobIds.derived(job, "notify:succeeded@2026-11-25T10:00:01Z")).isEqualTo(a);
        assertThat(JobIds.derived(job, "notify:succeeded@2026-11-25T10:00:02Z")).isNotEqualTo(a);
        assertThat(a.value().substring(0, 13)).isEqualTo(job.value().substring(0, 13));
        assertThat(JobId.parse(a.value())).contains(a);
    }
}
