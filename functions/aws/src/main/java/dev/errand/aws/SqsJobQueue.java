package dev.errand.aws;

import dev.errand.core.api.JobQueue;
import dev.errand.core.job.Envelope;
import dev.errand.core.job.Job;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/** The jobs queue on SQS: each job becomes one versioned envelope, tagged with its id and target. */
public final class SqsJobQueue implements JobQueue {

    /** Message attributes on every job message, so operators can list and filter without parsing bodies. */
    public static final String JOB_ID = "errand.jobId";
    public static final String TARGET = "errand.target";

    private final SqsBatches batches;
    private final String queueUrl;
    private final Clock clock;

    public SqsJobQueue(SqsBatches batches, String queueUrl) {
        this(batches, queueUrl, Clock.systemUTC());
    }

    /** {@code clock}: each message is held back until its job is due (at most SQS's 900 s). */
    public SqsJobQueue(SqsBatches batches, String queueUrl, Clock clock) {
        this.batches = batches;
        this.queueUrl = queueUrl;
        this.clock = clock;
    }

    /** Whole seconds until the job is due, rounded up so it never arrives early, within SQS's limit. */
    public static int delaySeconds(Job job, Clock clock) {
        long millis = Duration.between(clock.instant(), job.dueAt()).toMillis();
        return (int) Math.min(dev.errand.core.validation.JobRequestReader.MAX_DELAY_SECONDS, Math.max(0, (millis + 999) / 1000));
    }

    public static QueueMessage message(Job job, int delaySeconds) {
        return new QueueMessage(Envelope.encode(job),
                Map.of(JOB_ID, job.id().value(), TARGET, job.request().target()), delaySeconds).inGroup(job.request().target());
    }

    @Override
    public List<Enqueued> enqueue(List<Job> jobs) {
        List<SqsBatches.Result> results = batches.send(queueUrl,
                jobs.stream().map(j -> message(j, delaySeconds(j, clock))).toList());
        return IntStream.range(0, jobs.size())
                .<Enqueued>mapToObj(i -> switch (results.get(i)) {
                    case SqsBatches.Result.Done d -> new Enqueued.Queued(jobs.get(i).id());
                    case SqsBatches.Result.Failed f -> new Enqueued.Failed(jobs.get(i).id(), f.retryable(), f.detail());
                })
                .toList();
    }
}
