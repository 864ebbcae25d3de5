package dev.errand.core.api;

import dev.errand.core.job.Job;
import dev.errand.core.job.JobId;
import java.util.List;

/**
 * Where jobs due later than the queue can hold them go (EventBridge Scheduler): one one-time schedule per
 * job that sends the job's message to the jobs queue at its time and then deletes itself.
 */
public interface JobScheduler {

    /** A deployment without a scheduler: jobs further ahead than the queue's delay are not accepted. */
    JobScheduler NONE = new JobScheduler() {
        @Override
        public List<JobQueue.Enqueued> schedule(List<Job> jobs) {
            return jobs.stream().<JobQueue.Enqueued>map(j -> new JobQueue.Enqueued.Failed(j.id(), false,
                    "no scheduler is configured for jobs due more than 15 minutes ahead")).toList();
        }

        @Override
        public Removal unschedule(JobId id) {
            return new Removal.Gone();
        }
    };

    /** Schedules each job for its due time; one result per job, in order (the queue's kinds of result). */
    List<JobQueue.Enqueued> schedule(List<Job> jobs);

    /** Deletes a cancelled job's schedule, if it still has one. */
    Removal unschedule(JobId id);

    sealed interface Removal {
        /** Deleted now, or there was none (fired already, or never made). */
        record Gone() implements Removal {}

        record Unavailable(String reason) implements Removal {}
    }
}
