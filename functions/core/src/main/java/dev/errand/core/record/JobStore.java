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
        public Claim claim(Job job, int attempt, boolean redriven, String token, Instant leaseUntil, int maxAttempts) {
            return attempt > maxAttempts ? new Claim.OutOfAttempts(attempt - 1, Optional.empty()) : new Claim.Claimed(attempt);
        }

        @Override
        public Write record(Job job, JobLife.Event event, int attempt, Optional<Integer> statusCode, Optional<String> error) {
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
        public Write record(Job job, JobLife.Event event, int attempt, Optional<Integer> statusCode, Optional<String> error,
                            Details details) {
            return new Write.Done();
        }

        @Override
        public Cancel cancel(JobId id) {
            return new Cancel.NoRecord();
        }

        @Override
        public Listing list(JobQuery query) {
            return new Listing.Unavailable("job records are off in this deployment");
        }

        @Override
        public Write markAnnounced(JobId id, JobStatus status, Instant updatedAt, Optional<JobId> notification) {
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
     * {@link JobLife.Event#CLAIM} (or {@code CLAIM_REDRIVEN}): marks the job running for call number
     * {@code attempt}, or for the record's next call when the record is further on (copies of one job never
     * add up to more than {@code maxAttempts} calls), until {@code leaseUntil}, when the claiming invocation
     * ends. A message redriven from the dead-letter queue revives a {@code failed} or {@code dead} job and
     * starts its count at {@code attempt}. {@code token} names this receive of this message: a claim found
     * already made with the same token (a retried write that had in fact succeeded) is this claim.
     */
    Claim claim(Job job, int attempt, boolean redriven, String token, Instant leaseUntil, int maxAttempts);

    /**
     * Records an outcome: {@code SUCCEED}, {@code RETRY}, {@code REFUSE} or {@code EXHAUST} of claimed call
     * number {@code attempt}, or {@code DROP} or {@code EXPIRE} without a call ({@code attempt} is then the
     * calls made so far). Refused, as {@link JobLife}'s table says, when the record has moved on.
     */
    default Write record(Job job, JobLife.Event event, int attempt, Optional<Integer> statusCode, Optional<String> error) {
        return record(job, event, attempt, statusCode, error, Details.NONE);
    }

    /** {@link #record(Job, JobLife.Event, int, Optional, Optional)} with what else the outcome knows. */
    Write record(Job job, JobLife.Event event, int attempt, Optional<Integer> statusCode, Optional<String> error, Details details);

    /** What an outcome's record write may add: when the next attempt is due (a retry), the answer's first 1 KiB. */
    record Details(Optional<Instant> nextAttemptAt, Optional<String> response) {
        public static final Details NONE = new Details(Optional.empty(), Optional.empty());
    }

    /**
     * {@link JobLife.Event#CANCEL}: a scheduled, queued, running or retrying job becomes {@code cancelled} and is
     * never called afterwards. The record's expiry is never brought forward, so a message or schedule still on
     * its way finds it cancelled.
     */
    Cancel cancel(JobId id);

    /** One page of records, newest change first, from the list indexes. */
    Listing list(JobQuery query);

    /**
     * Notes that the final state written at {@code updatedAt} was announced (its notification job is on the
     * queue, its event put), so later deliveries do not announce it again. Refused (stale) when the record has
     * moved on since.
     */
    Write markAnnounced(JobId id, JobStatus status, Instant updatedAt, Optional<JobId> notification);

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
         * with the existing job, send its message (the first sender failed), or wait for the request sending it;
         * {@code status} is where that job stands now.
         */
        record Repeated(JobId existing, Instant submittedAt, Next next, JobStatus status) implements Creation {}

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

    /** The answer to a claim: call (and which attempt it is), or why not. */
    sealed interface Claim {
        record Claimed(int attempt) implements Claim {}

        /** The job already succeeded: this delivery is a proven duplicate and is let go without a call. */
        record AlreadySucceeded() implements Claim {}

        /** The job was cancelled: it is let go without a call. */
        record Cancelled() implements Claim {}

        /**
         * The job's verdict is final ({@code failed} or {@code dead}) and this message was not redriven: it
         * is an undeleted or repeated copy, or its dead letter was never sent. It is dead-lettered without a call.
         */
        record FinalVerdict(JobStatus status, int attempts, String reason) implements Claim {}

        /** Another delivery of the job may be calling it until {@code leaseUntil}: this one waits. */
        record InFlight(Instant leaseUntil) implements Claim {}

        /** The record has used every allowed call: the job is given up without another. */
        record OutOfAttempts(int attempts, Optional<String> lastError) implements Claim {}

        record Unavailable(String reason) implements Claim {}
    }

    /** The answer to a cancel. */
    sealed interface Cancel {
        /** Cancelled now; {@code callInFlight} when a call was running and may still reach the provider. */
        record Cancelled(JobRecord record, boolean callInFlight) implements Cancel {}

        /** Cancelled before: the same DELETE again. */
        record AlreadyCancelled(JobRecord record) implements Cancel {}

        /** Refused: the job is over ({@code succeeded}, {@code failed} or {@code dead}). */
        record Refused(JobLife.Refusal why, JobRecord record) implements Cancel {}

        record NoRecord() implements Cancel {}

        record Unavailable(String reason) implements Cancel {}
    }

    /** The answer to a search. */
    sealed interface Listing {
        /** The records, and the change key of the last one when more may follow. */
        record Page(java.util.List<JobRecord> records, Optional<String> next) implements Listing {
            public Page {
                records = java.util.List.copyOf(records);
            }
        }

        record Unavailable(String reason) implements Listing {}
    }

    /** The answer to requeueing a dead-lettered job. */
    sealed interface Requeue {
        record Requeued() implements Requeue {}

        /** An earlier redrive of this dead letter requeued the job; {@code copySent} when its copy reached the queue. */
        record AlreadyRequeued(boolean copySent) implements Requeue {}

        /** The job was delivered: a redrive would only be skipped by the consumer. */
        record AlreadySucceeded() implements Requeue {}

        /** {@link JobLife}'s table refuses a requeue where the record stands (cancelled, say). */
        record Refused(JobLife.Refusal why) implements Requeue {}

        /** No record to reset: job records are off, or this one expired. */
        record NoRecord() implements Requeue {}

        record Unavailable(String reason) implements Requeue {}
    }

    sealed interface Write {
        record Done() implements Write {}

        /** Not written: {@link JobLife}'s table refuses the event where the record stands. */
        record Refused(JobLife.Refusal why) implements Write {}

        /** Not written: the record is not as a bookkeeping write expected (sent already, another redrive's letter). */
        record Stale() implements Write {}

        record Unavailable(String reason) implements Write {}
    }
}
