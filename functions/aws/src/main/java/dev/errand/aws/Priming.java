package dev.errand.aws;

import dev.errand.core.job.JobId;
import dev.errand.core.record.JobStore;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * What the functions do before SnapStart's snapshot so that restored environments start warm: read-only
 * calls that load and initialise the SDK's clients, marshallers and HTTP stack. Nothing is sent or
 * written. A call that fails (no permission, no network during init) only leaves that part cold.
 */
public final class Priming {

    /** A well-formed id that no job has: reading its record warms DynamoDB without touching a real one. */
    static final JobId NO_SUCH_JOB = new JobId("00000000-0000-7000-8000-000000000000");

    private Priming() {}

    /** Reads the queue's depth: a signed, marshalled, real SQS call that changes nothing. */
    public static void queue(SqsClient sqs, String queueUrl) {
        quietly(() -> sqs.getQueueAttributes(b -> b.queueUrl(queueUrl)
                .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)));
    }

    /** Looks up a job that does not exist. */
    public static void records(JobStore store) {
        quietly(() -> store.find(NO_SUCH_JOB));
    }

    private static void quietly(Supplier<?> call) {
        try {
            call.get();
        } catch (SdkException e) {
            // priming is best effort: the first real call will pay what this one could not
        }
    }
}
