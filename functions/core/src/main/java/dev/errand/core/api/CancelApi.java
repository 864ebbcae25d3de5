package dev.errand.core.api;

import dev.errand.core.announce.Announcements;
import dev.errand.core.job.JobId;
import dev.errand.core.problem.Problem;
import dev.errand.core.record.JobRecord;
import dev.errand.core.record.JobStore;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code DELETE /jobs/{jobId}}: a scheduled, queued or retrying job becomes {@code cancelled} and is never called
 * afterwards; a call already in flight may finish, and the answer says so. The same DELETE again answers the
 * same; a job already over is {@code 409}. The cancel is announced (notification, event) before the job's
 * schedule is deleted: until then the schedule still carries the job, and its delivery announces it instead.
 */
public final class CancelApi {

    public static final String CANCEL_ROUTE = "DELETE /jobs/{jobId}";

    private final JobStore store;
    private final JobScheduler scheduler;
    private final Announcements announcements;

    public CancelApi(JobStore store, JobScheduler scheduler, Announcements announcements) {
        this.store = store;
        this.scheduler = scheduler;
        this.announcements = announcements;
    }

    public ApiResponse handle(ApiRequest request) {
        if (!store.enabled()) {
            return ApiResponse.problem(Problem.of(Problem.Type.RECORDS_REQUIRED,
                    "cancelling a job needs its record; deploy with JobRecords=Enabled"));
        }
        String text = request.pathParameter("jobId").orElse("");
        Optional<JobId> id = JobId.parse(text);
        if (id.isEmpty()) {
            return StatusApi.notAJobId(text);
        }
        return switch (store.cancel(id.get())) {
            case JobStore.Cancel.Cancelled c -> cancelled(c.record(), c.callInFlight());
            case JobStore.Cancel.AlreadyCancelled c -> cancelled(c.record(), false);
            case JobStore.Cancel.Refused r -> ApiResponse.problem(Problem.of(Problem.Type.JOB_OVER, "job " + id.get() + " is "
                    + r.record().status().wire() + ": " + r.why().reason() + "; only a scheduled, queued, running or retrying job can be cancelled")
                    .with("job", r.record().toTree()));
            case JobStore.Cancel.NoRecord n -> ApiResponse.problem(Problem.of(Problem.Type.NOT_FOUND, "no job " + id.get()));
            case JobStore.Cancel.Unavailable u -> ApiResponse.problem(Problem.of(Problem.Type.RECORDS_UNAVAILABLE, u.reason()))
                    .withHeader("Retry-After", String.valueOf(StatusApi.RETRY_AFTER_SECONDS));
        };
    }

    private ApiResponse cancelled(JobRecord record, boolean callInFlight) {
        Map<String, Object> tree = new LinkedHashMap<>(record.toTree());
        tree.put("callInFlight", callInFlight);
        if (callInFlight) {
            tree.put("note", "a call was in flight when the job was cancelled: it may still reach the provider; no further call is made");
        }
        switch (announcements.ensure(record.jobId())) {
            case Announcements.Ensured.Failed f -> tree.put("announcement", "pending: " + f.reason()
                    + "; the job's message or schedule announces it when it comes due, or send the DELETE again");
            case Announcements.Ensured.Announced a -> scheduler.unschedule(record.jobId());
            case Announcements.Ensured.Nothing n -> scheduler.unschedule(record.jobId());
        }
        return ApiResponse.json(200, tree);
    }
}
