package dev.errand.core.api;

import dev.errand.core.job.JobId;
import dev.errand.core.problem.Problem;
import dev.errand.core.record.JobStore;
import dev.errand.core.validation.FieldError;
import dev.errand.core.validation.Pointer;
import java.util.List;
import java.util.Optional;

/** {@code GET /jobs/{jobId}}: a job's record, never its body or header values; and {@code GET /jobs}, the search. */
public final class StatusApi {

    public static final String STATUS_ROUTE = "GET /jobs/{jobId}";
    /** A DynamoDB outage or throttle clears in seconds. */
    public static final int RETRY_AFTER_SECONDS = 5;

    private final JobStore store;
    private final ListApi list;

    public StatusApi(JobStore store) {
        this.store = store;
        this.list = new ListApi(store);
    }

    public ApiResponse handle(ApiRequest request) {
        if (request.routeKey().equals(ListApi.LIST_ROUTE)) {
            return list.handle(request);
        }
        if (!request.routeKey().equals(STATUS_ROUTE)) {
            return ApiResponse.problem(Problem.of(Problem.Type.NOT_FOUND, "no route for " + request.routeKey()));
        }
        String text = request.pathParameter("jobId").orElse("");
        Optional<JobId> id = JobId.parse(text);
        if (id.isEmpty()) {
            return notAJobId(text);
        }
        return switch (store.find(id.get())) {
            case JobStore.Lookup.Found found -> ApiResponse.json(200, found.record().toTree());
            case JobStore.Lookup.Missing missing -> ApiResponse.problem(Problem.of(Problem.Type.NOT_FOUND,
                    "no job " + id.get() + (store.enabled() ? "" : ": job records are off in this deployment")));
            case JobStore.Lookup.Unavailable u -> ApiResponse.problem(Problem.of(Problem.Type.RECORDS_UNAVAILABLE, u.reason()))
                    .withHeader("Retry-After", String.valueOf(RETRY_AFTER_SECONDS));
        };
    }

    /** The answer to a path whose {jobId} is not one. */
    static ApiResponse notAJobId(String text) {
        return ApiResponse.problem(Problem.invalid(List.of(new FieldError(Pointer.ROOT,
                "'" + text + "' in the path is not a job id: a lower-case UUIDv7 such as 019ab2f0-5a00-7000-8000-000000000001"))));
    }
}
