package dev.errand.core.job;

import java.time.Instant;
import java.util.Optional;

/**
 * A job on its way: the request, when it was accepted, and how many calls were already made for it before
 * this copy of its message was sent (SQS counts receives, not calls, so the consumer carries calls here).
 * A copy re-sent after a deferral carries when the job's run of deferrals began; a copy re-sent because its
 * dead letter could not be sent carries its final verdict, so it is never called again.
 */
public record Job(JobId id, JobRequest request, Instant submittedAt, int priorAttempts, Optional<Instant> deferredSince,
                  Optional<FinalVerdict> verdict, Optional<JobId> notifies) {

    public Job(JobId id, JobRequest request, Instant submittedAt, int priorAttempts) {
        this(id, request, submittedAt, priorAttempts, Optional.empty(), Optional.empty());
    }

    public Job(JobId id, JobRequest request, Instant submittedAt, int priorAttempts, Optional<Instant> deferredSince,
               Optional<FinalVerdict> verdict) {
        this(id, request, submittedAt, priorAttempts, deferredSince, verdict, Optional.empty());
    }

    /** When the first call may be made: {@code runAt}, else {@code delaySeconds} after submission. */
    public Instant dueAt() {
        return request.runAt().orElse(submittedAt.plusSeconds(request.delaySeconds()));
    }

    /** Accepted for later: its first call waits for a moment after its submission. */
    public boolean isScheduled() {
        return dueAt().isAfter(submittedAt);
    }

    /** A notification job, reporting the end of job {@code subject}: it never notifies in turn. */
    public Job notifying(JobId subject) {
        return new Job(id, request, submittedAt, priorAttempts, deferredSince, verdict, Optional.of(subject));
    }

    public Job {
        if (priorAttempts < 0) {
            throw new IllegalArgumentException("priorAttempts must be zero or more, was " + priorAttempts);
        }
    }

    /** The verdict a job reached that must take it to the dead-letter queue; {@code exhausted} for dead, else failed. */
    public record FinalVerdict(String reason, boolean exhausted) {}

    public Job withPriorAttempts(int attempts) {
        return new Job(id, request, submittedAt, attempts, deferredSince, verdict, notifies);
    }

    /** The copy re-sent after a deferral: its calls so far and when its deferrals began. */
    public Job deferred(int attempts, Instant since) {
        return new Job(id, request, submittedAt, attempts, Optional.of(since), Optional.empty(), notifies);
    }

    /** The copy re-sent when its dead letter could not be sent: dead-lettered on its next receive, never called. */
    public Job doomed(int attempts, FinalVerdict finalVerdict) {
        return new Job(id, request, submittedAt, attempts, Optional.empty(), Optional.of(finalVerdict), notifies);
    }

    /** The job as it goes to the dead-letter queue: no calls carried (a redrive starts afresh), nothing pending. */
    public Job forDeadLetter() {
        return new Job(id, request, submittedAt, 0, Optional.empty(), Optional.empty(), notifies);
    }
}
