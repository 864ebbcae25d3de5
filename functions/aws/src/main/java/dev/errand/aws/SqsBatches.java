package dev.errand.aws;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.stream.IntStream;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchResponse;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;

/**
 * SQS's batch calls for any number of entries: split into batches SQS accepts (10 entries, 1 MiB), sent
 * in parallel on virtual threads, with one result per entry in input order. A batch call that fails as a
 * whole fails each of its entries; nothing is ever reported done that SQS did not confirm.
 */
public final class SqsBatches {

    /** SQS takes at most 10 entries per batch call. */
    public static final int MAX_ENTRIES = 10;
    /** SQS's limit for one message and for a whole SendMessageBatch (1 MiB since August 2025). */
    public static final int MAX_BATCH_BYTES = 1024 * 1024;

    private final SqsClient sqs;
    private final Clock clock;

    public SqsBatches(SqsClient sqs) {
        this(sqs, Clock.systemUTC());
    }

    public SqsBatches(SqsClient sqs, Clock clock) {
        this.sqs = sqs;
        this.clock = clock;
    }

    /** How one entry fared. */
    public sealed interface Result {
        record Done(String messageId) implements Result {}

        /** {@code retryable} when SQS was unreachable, throttling or failing, not when it refused the entry. */
        record Failed(boolean retryable, String detail) implements Result {}
    }

    /** A visibility change for one received message. */
    public record VisibilityChange(String receiptHandle, int seconds) {}

    public List<Result> send(String queueUrl, List<QueueMessage> messages) {
        return inChunks(chunksBySize(messages), chunk -> sendChunk(queueUrl, chunk));
    }

    /** As {@link #send(String, List)}, but an entry SQS has not confirmed by {@code by} is reported failed. */
    public List<Result> send(String queueUrl, List<QueueMessage> messages, Instant by) {
        return inChunks(chunksBySize(messages), chunk -> sendChunk(queueUrl, chunk), by);
    }

    public List<Result> changeVisibility(String queueUrl, List<VisibilityChange> changes) {
        return inChunks(chunksOfTen(changes), chunk -> changeChunk(queueUrl, chunk));
    }

    /** As {@link #changeVisibility(String, List)}, but a change SQS has not confirmed by {@code by} is reported failed. */
    public List<Result> changeVisibility(String queueUrl, List<VisibilityChange> changes, Instant by) {
        return inChunks(chunksOfTen(changes), chunk -> changeChunk(queueUrl, chunk), by);
    }

    /** Deletes received messages by receipt handle; Done carries nothing, as SQS answers nothing more. */
    public List<Result> delete(String queueUrl, List<String> receiptHandles) {
        return inChunks(chunksOfTen(receiptHandles), chunk -> deleteChunk(queueUrl, chunk));
    }

    private static <T> List<List<T>> chunksOfTen(List<T> items) {
        List<List<T>> chunks = new ArrayList<>();
        for (int i = 0; i < items.size(); i += MAX_ENTRIES) {
            chunks.add(items.subList(i, Math.min(items.size(), i + MAX_ENTRIES)));
        }
        return chunks;
    }

    private static <T> List<Result> inChunks(List<List<T>> chunks, Function<List<T>, List<Result>> call) {
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<List<Result>>> running = chunks.stream().map(c -> threads.submit(() -> call.apply(c))).toList();
            List<Result> results = new ArrayList<>();
            for (int i = 0; i < chunks.size(); i++) {
                results.addAll(await(running.get(i), chunks.get(i).size()));
            }
            return List.copyOf(results);
        }
    }

    /**
     * The chunks in parallel, waiting for them no later than {@code by}: a chunk still in flight then is
     * reported failed (it may yet land, which the caller must treat as "maybe"), and is left to finish on
     * its own rather than held for.
     */
    private <T> List<Result> inChunks(List<List<T>> chunks, Function<List<T>, List<Result>> call, Instant by) {
        ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
        try {
            List<Future<List<Result>>> running = chunks.stream().map(c -> threads.submit(() -> call.apply(c))).toList();
            List<Result> results = new ArrayList<>();
            for (int i = 0; i < chunks.size(); i++) {
                results.addAll(await(running.get(i), chunks.get(i).size(), by));
            }
            return List.copyOf(results);
        } finally {
            threads.shutdown();
        }
    }

    private List<Result> await(Future<List<Result>> running, int size, Instant by) {
        try {
            long nanos = Math.max(0, Duration.between(clock.instant(), by).toNanos());
            return running.get(nanos, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return java.util.Collections.nCopies(size, new Result.Failed(true, "SQS did not confirm it before the invocation's deadline"));
        } catch (ExecutionException e) {
            return java.util.Collections.nCopies(size, new Result.Failed(true, "the batch call failed: " + e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return java.util.Collections.nCopies(size, new Result.Failed(true, "interrupted"));
        }
    }

    private List<Result> sendChunk(String queueUrl, List<QueueMessage> chunk) {
        List<SendMessageBatchRequestEntry> entries = IntStream.range(0, chunk.size())
                .mapToObj(i -> SendMessageBatchRequestEntry.builder()
                        .id(String.valueOf(i))
                        .messageBody(chunk.get(i).body())
                        .delaySeconds(chunk.get(i).delaySeconds())
                        .messageAttributes(attributes(chunk.get(i).attributes()))
                        .messageGroupId(chunk.get(i).group().orElse(null))
                        .build())
                .toList();
        SendMessageBatchResponse response;
        try {
            response = sqs.sendMessageBatch(b -> b.queueUrl(queueUrl).entries(entries));
        } catch (SdkException e) {
            return failAll(chunk.size(), e);
        }
        Map<String, Result> byId = new HashMap<>();
        response.successful().forEach(s -> byId.put(s.id(), new Result.Done(s.messageId())));
        response.failed().forEach(f -> byId.put(f.id(), failed(f)));
        return byIdInOrder(byId, chunk.size());
    }

    private List<Result> changeChunk(String queueUrl, List<VisibilityChange> chunk) {
        List<ChangeMessageVisibilityBatchRequestEntry> entries = IntStream.range(0, chunk.size())
                .mapToObj(i -> ChangeMessageVisibilityBatchRequestEntry.builder()
                        .id(String.valueOf(i))
                        .receiptHandle(chunk.get(i).receiptHandle())
                        .visibilityTimeout(chunk.get(i).seconds())
                        .build())
                .toList();
        ChangeMessageVisibilityBatchResponse response;
        try {
            response = sqs.changeMessageVisibilityBatch(b -> b.queueUrl(queueUrl).entries(entries));
        } catch (SdkException e) {
            return failAll(chunk.size(), e);
        }
        return confirmed(response.successful().stream().map(s -> s.id()).toList(), response.failed(), chunk.size());
    }

    private List<Result> deleteChunk(String queueUrl, List<String> chunk) {
        List<DeleteMessageBatchRequestEntry> entries = IntStream.range(0, chunk.size())
                .mapToObj(i -> DeleteMessageBatchRequestEntry.builder().id(String.valueOf(i)).receiptHandle(chunk.get(i)).build())
                .toList();
        DeleteMessageBatchResponse response;
        try {
            response = sqs.deleteMessageBatch(b -> b.queueUrl(queueUrl).entries(entries));
        } catch (SdkException e) {
            return failAll(chunk.size(), e);
        }
        return confirmed(response.successful().stream().map(s -> s.id()).toList(), response.failed(), chunk.size());
    }

    /** Results of a batch call whose successes carry nothing but their entry ids (visibility changes, deletes). */
    private static List<Result> confirmed(List<String> doneIds, List<BatchResultErrorEntry> failures, int size) {
        Map<String, Result> byId = new HashMap<>();
        doneIds.forEach(id -> byId.put(id, new Result.Done("")));
        failures.forEach(f -> byId.put(f.id(), failed(f)));
        return byIdInOrder(byId, size);
    }

    /** Greedy split: a new chunk when 10 entries are reached or the next entry would pass 1 MiB. */
    static List<List<QueueMessage>> chunksBySize(List<QueueMessage> messages) {
        List<List<QueueMessage>> chunks = new ArrayList<>();
        List<QueueMessage> current = new ArrayList<>();
        int bytes = 0;
        for (QueueMessage m : messages) {
            int size = m.sqsBytes();
            if (!current.isEmpty() && (current.size() == MAX_ENTRIES || bytes + size > MAX_BATCH_BYTES)) {
                chunks.add(current);
                current = new ArrayList<>();
                bytes = 0;
            }
            current.add(m);
            bytes += size;
        }
        if (!current.isEmpty()) {
            chunks.add(current);
        }
        return chunks;
    }

    private static List<Result> byIdInOrder(Map<String, Result> byId, int size) {
        return IntStream.range(0, size)
                .mapToObj(i -> byId.getOrDefault(String.valueOf(i),
                        new Result.Failed(true, "SQS did not report on this entry")))
                .toList();
    }

    private static Result failed(BatchResultErrorEntry f) {
        return new Result.Failed(!Boolean.TRUE.equals(f.senderFault()), f.code() + ": " + f.message());
    }

    private static List<Result> failAll(int size, SdkException e) {
        Result failed = new Result.Failed(retryable(e), describe(e));
        return java.util.Collections.nCopies(size, failed);
    }

    /** Network trouble, throttling and SQS's own errors pass; a refusal of the request itself does not. */
    public static boolean retryable(SdkException e) {
        return switch (e) {
            case SdkClientException c -> true;
            case AwsServiceException s -> s.isThrottlingException() || s.statusCode() >= 500;
            default -> e.retryable();
        };
    }

    public static String describe(SdkException e) {
        return switch (e) {
            case AwsServiceException s -> "SQS answered " + s.statusCode() + " " + s.awsErrorDetails().errorCode()
                    + ": " + s.awsErrorDetails().errorMessage();
            default -> "SQS could not be reached: " + e.getMessage();
        };
    }

    private static Map<String, MessageAttributeValue> attributes(Map<String, String> attributes) {
        Map<String, MessageAttributeValue> values = new HashMap<>();
        attributes.forEach((k, v) -> values.put(k, MessageAttributeValue.builder().dataType("String").stringValue(v).build()));
        return values;
    }

    private static List<Result> await(Future<List<Result>> running, int size) {
        try {
            return running.get();
        } catch (ExecutionException e) {
            return java.util.Collections.nCopies(size, new Result.Failed(true, "the batch call failed: " + e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return java.util.Collections.nCopies(size, new Result.Failed(true, "interrupted"));
        }
    }
}
