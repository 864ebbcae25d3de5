package dev.errand.core.api;

import dev.errand.core.api.JobQueue.Enqueued;
import dev.errand.core.job.Job;
import dev.errand.core.job.JobId;
import dev.errand.core.problem.Problem;
import dev.errand.core.record.IdempotencyKey;
import dev.errand.core.record.JobStatus;
import dev.errand.core.record.JobStore.Creation;
import dev.errand.core.record.JobStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.function.Function;

/**
 * Accepts jobs in the order that loses nothing: the record (and its Idempotency-Key) is written first,
 * then the message is sent, then the record is marked sent. If the send fails the caller gets 503; a retry
 * with the same key finds the record unsent and sends it, so the job is finished, never refused or doubled.
 */
final class Submissions {

    /** How long a repeated request waits for a concurrent one that is sending the same job's message. */
    static final Duration WAIT_FOR_SENDER = Duration.ofSeconds(3);
    static final Duration POLL = Duration.ofMillis(100);
    /** Record writes in flight per request: a batch of 100 finishes in ten rounds, without a burst of 100 connections. */
    static final int PARALLEL_WRITES = 10;

    private final JobQueue queue;
    private final JobStore store;

    Submissions(JobQueue queue, JobStore store) {
        this.queue = queue;
        this.store = store;
    }

    /** One job to accept, with its caller's key (if any) and the fingerprint of what it asks for. */
    record Request(Job job, Optional<IdempotencyKey> key, String requestHash) {}

    /** What became of one job. */
    sealed interface Submitted {
        /**
         * On the queue; {@code replayed} when an earlier request with the same key had already queued it, and
         * {@code status} where the job stands now (a replay may find it succeeded long ago).
         */
        record Queued(Job job, boolean replayed, JobStatus status) implements Submitted {}

        /** Not queued; {@code problem} says why (the queue or the records unavailable, or the queue refusing it). */
        record Failed(Problem.Type problem, String detail) implements Submitted {
            boolean retryable() {
                return problem.status() == 503;
            }
        }

        /** The key was used for a different request. */
        record Conflict(JobId existing) implements Submitted {}

        /** Another request with the same key is still sending the job. */
        record InProgress(JobId existing) implements Submitted {}
    }

    List<Submitted> submit(List<Request> requests) {
        List<Creation> creations = inParallel(requests, r -> settle(r, store.create(r.job(), r.key(), r.requestHash())));
        List<Job> toSend = new ArrayList<>();
        for (int i = 0; i < requests.size(); i++) {
            toSend(requests.get(i), creations.get(i)).ifPresent(toSend::add);
        }
        List<Enqueued> sent = toSend.isEmpty() ? List.of() : queue.enqueue(toSend);
        List<Integer> order = java.util.stream.IntStream.range(0, toSend.size()).boxed().toList();
        List<Submitted> afterSend = inParallel(order, k -> afterSend(toSend.get(k), sent.get(k)));
        List<Submitted> results = new ArrayList<>();
        int next = 0;
        for (int i = 0; i < requests.size(); i++) {
            Request request = requests.get(i);
            Creation creation = creations.get(i);
            if (toSend(request, creation).isPresent()) {
                Submitted result = afterSend.get(next++);
                if (result instanceof Submitted.Failed && creation instanceof Creation.Created && request.key().isEmpty()) {
                    // no key can ever finish this job: its record would only mislead
                    store.forget(request.job().id());
                } else if (result instanceof Submitted.Failed) {
                    // the caller's retry with the same key may send it straight away
                    store.release(toSend.get(next - 1).id());
                }
                results.add(result);
            } else {
                results.add(answer(request, creation));
            }
        }
        return List.copyOf(results);
    }

    /** A repeated request that must wait re-asks the store until the sender is done or the wait is over. */
    private Creation settle(Request request, Creation first) {
        Creation creation = first;
        long end = System.nanoTime() + WAIT_FOR_SENDER.toNanos();
        while (creation instanceof Creation.Repeated r && r.next() == JobStore.Next.WAIT && System.nanoTime() < end) {
            sleep(POLL);
            creation = store.create(request.job(), request.key(), request.requestHash());
        }
        return creation;
    }

    private static Optional<Job> toSend(Request request, Creation creation) {
        return switch (creation) {
            case Creation.Created c -> Optional.of(request.job());
            case Creation.Repeated r when r.next() == JobStore.Next.SEND ->
                    Optional.of(new Job(r.existing(), request.job().request(), r.submittedAt(), 0));
            // a repeat's job keeps the first request's submission time, so a delaySeconds counts from that
            case Creation.Repeated r -> Optional.empty();
            case Creation.Conflict c -> Optional.empty();
            case Creation.Unavailable u -> Optional.empty();
        };
    }

    private Submitted afterSend(Job job, Enqueued enqueued) {
        return switch (enqueued) {
            case Enqueued.Queued q -> {
                // the job is on the queue whatever this write does; the consumer's claim updates the record anyway
                store.markEnqueued(q.jobId());
                yield new Submitted.Queued(job, false, job.isScheduled() ? JobStatus.SCHEDULED : JobStatus.QUEUED);
            }
            case Enqueued.Failed f -> new Submitted.Failed(
                    f.retryable() ? Problem.Type.QUEUE_UNAVAILABLE : Problem.Type.QUEUE_REFUSED, f.detail());
        };
    }

    private Submitted answer(Request request, Creation creation) {
        return switch (creation) {
            case Creation.Repeated r when r.next() == JobStore.Next.ANSWER ->
                    new Submitted.Queued(new Job(r.existing(), request.job().request(), r.submittedAt(), 0), true, r.status());
            case Creation.Repeated r -> new Submitted.InProgress(r.existing());
            case Creation.Conflict c -> new Submitted.Conflict(c.existing());
            case Creation.Unavailable u -> new Submitted.Failed(Problem.Type.RECORDS_UNAVAILABLE, "job records unavailable: " + u.reason());
            case Creation.Created c -> throw new IllegalStateException("a created job is always sent");
        };
    }

    private static <T, R> List<R> inParallel(List<T> items, Function<T, R> work) {
        Semaphore writes = new Semaphore(PARALLEL_WRITES);
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<R>> running = items.stream().map(i -> threads.submit(() -> {
                writes.acquire();
                try {
                    return work.apply(i);
                } finally {
                    writes.release();
                }
            })).toList();
            List<R> results = new ArrayList<>(items.size());
            for (Future<R> f : running) {
                results.add(await(f));
            }
            return results;
        }
    }

    private static <R> R await(Future<R> future) {
        try {
            return future.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("a submission step failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
