package dev.errand.core.api;

import dev.errand.core.job.Job;
import dev.errand.core.job.JobId;
import java.util.List;

/** Where accepted jobs go: the jobs queue. */
public interface JobQueue {

    /** Sends the jobs; the answer holds one result per job, in the same order. */
    List<Enqueued> enqueue(List<Job> jobs);

    /** What became of one job handed to the queue. */
    sealed interface Enqueued {
        JobId jobId();

        record Queued(JobId jobId) implements Enqueued {}

        /** Not queued: {@code retryable} when the queue was unreachable or throttling, not when it refused the job. */
        record Failed(JobId jobId, boolean retryable, String detail) implements Enqueued {}
    }
}
