package dev.errand.core.announce;

import dev.errand.core.job.HttpMethod;
import dev.errand.core.job.Job;
import dev.errand.core.job.JobId;
import dev.errand.core.job.JobIds;
import dev.errand.core.job.JobRequest;
import dev.errand.core.job.Notify;
import dev.errand.core.json.Json;
import dev.errand.core.record.JobRecord;
import dev.errand.core.record.JobStatus;
import dev.errand.core.record.JobStore;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Announces a job's final state once it is written: the notification its owner asked for (a job of its own,
 * to the configured target) and the EventBridge event. Whoever lets go of what carries a job (its message,
 * its schedule) calls {@link #ensure} first and keeps the carrier when it answers {@link Ensured.Failed}, so
 * an announcement is never lost. It is never doubled by a repeat: the notification's id comes from the job,
 * its final status and the moment that status was written, so every try sends the same notification job,
 * whose own record lets only one call through; the record is marked announced after a try that worked.
 */
public final class Announcements {

    /** The response body a notification reports: the first 1 KiB, as the record keeps it. */
    public static final int RESPONSE_CHARS = 1024;

    private final JobStore store;
    private final Announcer announcer;
    private final Clock clock;

    public Announcements(JobStore store, Announcer announcer, Clock clock) {
        this.store = store;
        this.announcer = announcer;
        this.clock = clock;
    }

    /** Whether a job of this kind may have something to announce: it asked for a notification, or events are on. */
    public boolean mayAnnounce(Job job) {
        return store.enabled() && job.notifies().isEmpty() && (job.request().notifyTo().isPresent() || announcer.putsEvents());
    }

    /** What became of the announcement of a job's end. */
    public sealed interface Ensured {
        /** Nothing to announce (not final, nothing asked) or announced before. */
        record Nothing() implements Ensured {}

        record Announced(Optional<JobId> notification) implements Ensured {}

        /** Not announced: keep what carries the job, and try again. */
        record Failed(String reason) implements Ensured {}
    }

    /** Announces the job's final state unless that was done already. */
    public Ensured ensure(JobId id) {
        return switch (store.find(id)) {
            case JobStore.Lookup.Missing m -> new Ensured.Nothing();
            case JobStore.Lookup.Unavailable u -> new Ensured.Failed("job records unavailable: " + u.reason());
            case JobStore.Lookup.Found f -> ensure(f.record());
        };
    }

    private Ensured ensure(JobRecord record) {
        if (!record.status().isFinal() || record.later().announced() || record.later().notifies().isPresent()) {
            return new Ensured.Nothing();
        }
        Map<String, Object> document = document(record);
        Optional<Job> notification = record.later().notifyTo().filter(n -> n.wants(record.status()))
                .map(n -> notification(record, n, document));
        Optional<Announcer.Event> event = announcer.putsEvents()
                ? Optional.of(new Announcer.Event(detailType(record.status()), document)) : Optional.empty();
        if (notification.isEmpty() && event.isEmpty()) {
            return new Ensured.Nothing();
        }
        return switch (announcer.announce(notification, event)) {
            case Announcer.Sent.Failed f -> new Ensured.Failed(f.reason());
            case Announcer.Sent.Done d -> {
                // a lost mark only means a later delivery announces again: the same notification job, deduplicated
                store.markAnnounced(record.jobId(), record.status(), record.updatedAt(), notification.map(Job::id));
                yield new Ensured.Announced(notification.map(Job::id));
            }
        };
    }

    /** The one notification job of this final state: the same id however often it is made. */
    private Job notification(JobRecord record, Notify notify, Map<String, Object> document) {
        JobId id = notificationId(record.jobId(), record.status(), record.updatedAt());
        JobRequest request = new JobRequest(notify.target(), HttpMethod.POST, notify.path(), Map.of(),
                Optional.of(Json.write(document)), 0);
        return new Job(id, request, clock.instant(), 0).notifying(record.jobId());
    }

    public static JobId notificationId(JobId job, JobStatus status, java.time.Instant writtenAt) {
        return JobIds.derived(job, "notify:" + status.wire() + "@" + writtenAt);
    }

    /** What a notification posts and an event carries: the job's end, never its body or header values. */
    public static Map<String, Object> document(JobRecord record) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("jobId", record.jobId().value());
        doc.put("status", record.status().wire());
        doc.put("target", record.target());
        doc.put("method", record.method());
        doc.put("path", record.path());
        doc.put("attempts", record.attempts());
        record.lastStatusCode().ifPresent(code -> doc.put("lastStatusCode", code));
        record.lastError().ifPresent(error -> doc.put("lastError", error));
        record.later().lastResponse().ifPresent(body -> doc.put("responseBody", body));
        doc.put("createdAt", record.createdAt().toString());
        record.later().runAt().ifPresent(at -> doc.put("runAt", at.toString()));
        doc.put("finishedAt", record.updatedAt().toString());
        doc.put("links", Map.of("self", "/jobs/" + record.jobId().value()));
        return doc;
    }

    public static String detailType(JobStatus status) {
        return switch (status) {
            case SUCCEEDED -> "Job Succeeded";
            case FAILED -> "Job Failed";
            case DEAD -> "Job Dead-lettered";
            case CANCELLED -> "Job Cancelled";
            case SCHEDULED, QUEUED, RUNNING, RETRYING -> throw new IllegalArgumentException(status + " is not a final state");
        };
    }
}
