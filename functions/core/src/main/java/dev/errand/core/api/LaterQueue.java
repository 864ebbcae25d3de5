package dev.errand.core.api;

import dev.errand.core.job.Job;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The jobs queue with a scheduler beside it: a job due within {@code threshold} goes on the queue with SQS's
 * own delay (at most 15 minutes); one due later gets a schedule that puts it there at its time. The answer
 * keeps the request's order.
 */
public final class LaterQueue implements JobQueue {

    /** SQS's DelaySeconds maximum, the default threshold: nearer jobs cost nothing beyond their message. */
    public static final Duration QUEUE_DELAY_LIMIT = Duration.ofSeconds(900);

    private final JobQueue queue;
    private final JobScheduler scheduler;
    private final Duration threshold;
    private final Clock clock;

    public LaterQueue(JobQueue queue, JobScheduler scheduler, Duration threshold, Clock clock) {
        if (threshold.isNegative() || threshold.compareTo(QUEUE_DELAY_LIMIT) > 0) {
            throw new IllegalArgumentException("the scheduling threshold must be 0 to 900 s (SQS's longest delay), was " + threshold);
        }
        this.queue = queue;
        this.scheduler = scheduler;
        this.threshold = threshold;
        this.clock = clock;
    }

    @Override
    public List<Enqueued> enqueue(List<Job> jobs) {
        List<Job> near = new ArrayList<>();
        List<Job> far = new ArrayList<>();
        List<Boolean> isFar = new ArrayList<>();
        for (Job job : jobs) {
            boolean later = Duration.between(clock.instant(), job.dueAt()).compareTo(threshold) > 0;
            (later ? far : near).add(job);
            isFar.add(later);
        }
        List<Enqueued> queued = near.isEmpty() ? List.of() : queue.enqueue(near);
        List<Enqueued> scheduled = far.isEmpty() ? List.of() : scheduler.schedule(far);
        List<Enqueued> results = new ArrayList<>(jobs.size());
        int n = 0;
        int f = 0;
        for (boolean later : isFar) {
            results.add(later ? scheduled.get(f++) : queued.get(n++));
        }
        return List.copyOf(results);
    }
}
