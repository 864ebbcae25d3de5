package dev.errand.aws;

import dev.errand.core.api.JobQueue;
import dev.errand.core.job.Envelope;
import dev.errand.core.job.Job;
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

    public SqsJobQueue(SqsBatches batches, String queueUrl) {
        this.batches = batches;
        this.queueUrl = queueUrl;
    }

    public static QueueMessage message(Job job, int delaySeconds) {
        return new QueueMessage(Envelope.encode(job),
                Map.of(JOB_ID, job.id().value(), TARGET, job.request().target()), delaySeconds).inGroup(job.request().target());
    }

    @Override
    public List<Enqueued> enqueue(List<Job> jobs) {
        List<SqsBatches.Result> results = batches.send(queueUrl,
                jobs.stream().map(j -> message(j, j.request().delaySeconds())).toList());
        return IntStream.range(0, jobs.size())
                .<Enqueued>mapToObj(i -> switch (results.get(i)) {
                    case SqsBatches.Result.Done d -> new Enqueued.Queued(jobs.get(i).id());
                    case SqsBatches.Result.Failed f -> new Enqueued.Failed(jobs.get(i).id(), f.retryable(), f.detail());
                })
                .toList();
    }
}
