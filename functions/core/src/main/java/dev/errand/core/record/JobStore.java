package dev.errand.core.record;

import dev.errand.core.job.Job;
import dev.errand.core.job.JobId;
import java.time.Instant;
import java.util.Optional;

/**
 * Where job records live (DynamoDB). Optional: {@link #NONE} keeps nothing, and everything else works
 * without it. Each method reports a store that cannot be reached as a value, never as an exception.
 */
public interface JobStore {

    /** The store of a deployment with job records turned off. */
    JobStore NONE = new JobStore() {
        @Override
        public Creation create(Job job, Optional<IdempotencyKey> key, String requestHash) {
            return new Creation.Created();
        }

        @Override
        public Write markEnqueued(JobId id) {
            return new Write.Done();
        }

        @Override
        public Write release(JobId id) {
            return new Write.Done();
        }

        @Override
        public Write forget(JobId id) {
            return new Write.Done();
        }

        @Override
        public Lookup find(JobId id) {
            return new Lookup.Missing();
        }

        @Override
        public Claim claim(Job job, int attempt, boolean redriven, String token) {
            return new Claim.Claimed();
        }

        @Override
        public Write record(JobId id, int attempt, JobStatus status, Optional<Integer> statusCode, Optional<String> error) {
            return new Write.Done();
        }

        @Override
        public Requeue requeue(JobId id, String deadLetterId) {
            return new Requeue.NoRecord();
        }

        @Override
        public Write redriveSent(JobId id, String deadLetterId) {
            return new Write.Done();
        }

        @Override
        public boolean enabled() {
            return false;
        }
    };

    /** Writes the record (and the key, if any) before the job's message is sent. */
    Creation create(Job job, Optional<IdempotencyKey> key, String requestHash);

    /** Notes that the job's message is on the queue. */
    Write markEnqueued(JobId id);

    /** Gives up the right to send an unsent job, so a retry with its key may send it at once. */
    Write release(JobId id);

    /** Removes the record of a job whose message could not be sent and that no key can finish later. */
    Write forget(JobId id);

    Lookup find(JobId id);

    /**
     * Marks the job running for call number {@code attempt}, unless it already moved past that. A message
     * redriven from the dead-letter queue may revive a {@code failed} or {@code dead} job; nothing revives a
     * {@code succeeded} one. {@code token} names this receive of this message: a claim found already made
     * with the same token (a retried write that had in fact succeeded) is this claim, not a rival's.
     */
    Claim claim(Job job, int attempt, boolean redriven, String token);

    /** Records how call number {@code attempt} ended; ignored when the record has moved past it. */
    Write record(JobId id, int attempt, JobStatus status, Optional<Integer> statusCode, Optional<String> error);

    /**
     * Puts a job back to {@code queued} with no attempts, for a redrive of its dead letter {@code deadLetterId}
     * (the DLQ message id). Once per dead letter: the record remembers the id, so a re-run of an interrupted
     * redrive recognises what it already did. Nothing requeues a {@code succeeded} job.
     */
    Requeue requeue(JobId id, String deadLetterId);

    /** Notes that the redriven copy of dead letter {@code deadLetterId} is on the jobs queue. */
    Write redriveSent(JobId id, String deadLetterId);

    boolean enabled();

    /** The answer to creating a job. */
    sealed interface Creation {
        record Created() implements Creation {}

        /**
         * The key was used before for the same request. {@code next} says what this request must do: answer
         * with the existing job, send its message (the first sender failed), or wait for the request sending it.
         */
        record Repeated(JobId existing, Instant submittedAt, Next next) implements Creation {}

        /** The key was used before for a different request. */
        record Conflict(JobId existing) implements Creation {}

        record Unavailable(String reason) implements Creation {}
    }

    /** What a repeated request does about the existing job's message. */
    enum Next {
        /** The message is on the queue: answer with the job. */
        ANSWER,
        /** The message was never sent and this request now holds the right to send it. */
        SEND,
        /** Another request is sending it right now. */
        WAIT
    }

    sealed interface Lookup {
        record Found(JobRecord record) implements Lookup {}

        record Missing() implements Lookup {}

        record Unavailable(String reason) implements Lookup {}
    }

    sealed interface Claim {
        record Claimed() implements Claim {}

        /** The job already succeeded: this delivery is a duplicate and must not call again. */
        record AlreadySucceeded() implements Claim {}

        /** The record is at or past this attempt, or final: a repeated or late message. */
        record Superseded(JobStatus status, int attempts) implements Claim {}

        record Unavailable(String reason) implements Claim {}
    }

    /** The answer to requeueing a dead-lettered job. */
    sealed interface Requeue {
        record Requeued() implements Requeue {}

        /** An earlier redrive of this dead letter requeued the job; {@code copySent} when its copy reached the queue. */
        record AlreadyRequeued(boolean copySent) implements Requeue {}

        /** The job was delivered: a redrive would only be skipped by the consumer. */
        record AlreadySucceeded() implements Requeue {}

        /** No record to reset: job records are off, or this one expired. */
        record NoRecord() implements Requeue {}

        record Unavailable(String reason) implements Requeue {}
    }

    sealed interface Write {
        record Done() implements Write {}

        /** Not written because the record had moved on: a late or repeated event. */
        record Stale() implements Write {}

        record Unavailable(String reason) implements Write {}
    }
}
