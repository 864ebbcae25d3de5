package dev.errand.core.job;

import java.time.Instant;

/**
 * A job on its way: the request, when it was accepted, and how many calls were already made for it before
 * this copy of its message was sent. SQS counts receives, not calls, so the consumer carries calls here.
 */
public record Job(JobId id, JobRequest request, Instant submittedAt, int priorAttempts) {

    public Job {
        if (priorAttempts < 0) {
            throw new IllegalArgumentException("priorAttempts must be zero or more, was " + priorAttempts);
        }
    }

    public Job withPriorAttempts(int attempts) {
        return new Job(id, request, submittedAt, attempts);
    }
}
