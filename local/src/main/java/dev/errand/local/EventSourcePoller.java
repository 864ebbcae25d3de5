package dev.errand.local;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * Plays Lambda's SQS event source mapping: gathers up to BatchSize records (waiting at most the batching
 * window once the first arrives), invokes the function, and deletes what succeeded. With
 * ReportBatchItemFailures, the returned ids are kept; an unknown or empty id, a thrown exception or a
 * timeout keeps the whole batch, as on AWS.
 */
final class EventSourcePoller implements AutoCloseable {

    /** ReceiveMessage returns at most 10 messages. */
    static final int MAX_RECEIVE = 10;
    /** Lambda's invocation payload limit (6 MB) also bounds a batch. */
    static final int MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;
    /** Short long-polls, so Ctrl-C is answered within a second. */
    static final int WAIT_SECONDS = 1;

    /** One SQS event source of one function, as template.yaml declares it. */
    record Source(String functionName, String queueUrl, String queueArn, int batchSize, int windowSeconds,
                  boolean reportBatchItemFailures, int pollers, Duration timeout, int memoryMb) {}

    private final SqsClient sqs;
    private final Source source;
    private final Consumer<String> log;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();

    /**
     * @param environments makes one handler per poller: each poller plays one Lambda execution environment
     *                     (a warm container), invoked by one batch at a time, as concurrent invocations are
     */
    EventSourcePoller(SqsClient sqs, Source source, java.util.function.Supplier<RequestHandler<SQSEvent, SQSBatchResponse>> environments,
                      Consumer<String> log) {
        this.sqs = sqs;
        this.source = source;
        this.log = log;
        for (int i = 0; i < source.pollers(); i++) {
            RequestHandler<SQSEvent, SQSBatchResponse> handler = environments.get();
            threads.add(Thread.ofPlatform().daemon().name("poller-" + source.functionName() + "-" + i).start(() -> poll(handler)));
        }
    }

    @Override
    public void close() {
        running.set(false);
        for (Thread t : threads) {
            try {
                t.join(source.timeout().plusSeconds(WAIT_SECONDS + 1).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void poll(RequestHandler<SQSEvent, SQSBatchResponse> handler) {
        while (running.get()) {
            try {
                List<Message> batch = gather();
                if (!batch.isEmpty()) {
                    invoke(batch, handler);
                }
            } catch (SdkException e) {
                if (running.get()) {
                    log.accept("[event source] cannot reach the queue (" + e.getMessage() + "); retrying");
                    sleep(Duration.ofSeconds(1));
                }
            } catch (RuntimeException e) {
                // a poller must outlive any one bad batch, as Lambda's does
                log.accept("[event source] " + e);
                sleep(Duration.ofSeconds(1));
            }
        }
    }

    private List<Message> gather() {
        List<Message> batch = new ArrayList<>(receive(Math.min(MAX_RECEIVE, source.batchSize()), WAIT_SECONDS));
        if (batch.isEmpty()) {
            return batch;
        }
        long windowEnd = System.nanoTime() + Duration.ofSeconds(source.windowSeconds()).toNanos();
        int bytes = batch.stream().mapToInt(EventSourcePoller::size).sum();
        while (running.get() && batch.size() < source.batchSize() && System.nanoTime() < windowEnd && bytes < MAX_PAYLOAD_BYTES) {
            long leftMillis = (windowEnd - System.nanoTime()) / 1_000_000;
            List<Message> more = receive(Math.min(MAX_RECEIVE, source.batchSize() - batch.size()),
                    (int) Math.min(WAIT_SECONDS, Math.max(0, leftMillis / 1000)));
            batch.addAll(more);
            bytes += more.stream().mapToInt(EventSourcePoller::size).sum();
        }
        return batch;
    }

    private List<Message> receive(int max, int waitSeconds) {
        return sqs.receiveMessage(b -> b.queueUrl(source.queueUrl())
                .maxNumberOfMessages(max)
                .waitTimeSeconds(waitSeconds)
                .messageSystemAttributeNames(MessageSystemAttributeName.ALL)
                .messageAttributeNames("All")).messages();
    }

    private void invoke(List<Message> batch, RequestHandler<SQSEvent, SQSBatchResponse> handler) {
        SQSEvent event = new SQSEvent();
        event.setRecords(batch.stream().map(this::record).toList());
        LocalContext context = new LocalContext(source.functionName(), source.timeout(), source.memoryMb());
        CompletableFuture<SQSBatchResponse> running = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                running.complete(handler.handleRequest(event, context));
            } catch (Throwable t) {
                running.completeExceptionally(t);
            }
        });
        Set<String> keep = kept(batch, running);
        List<Message> done = batch.stream().filter(m -> !keep.contains(m.messageId())).toList();
        delete(done);
    }

    /** The ids Lambda would leave on the queue: the reported failures, or every id when the batch failed. */
    private Set<String> kept(List<Message> batch, CompletableFuture<SQSBatchResponse> running) {
        Set<String> all = new HashSet<>(batch.stream().map(Message::messageId).toList());
        SQSBatchResponse response;
        try {
            response = running.get(source.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            log.accept("[event source] " + source.functionName() + " timed out after " + source.timeout().toSeconds()
                    + " s; the whole batch of " + batch.size() + " returns to the queue");
            return all;
        } catch (ExecutionException e) {
            log.accept("[event source] " + source.functionName() + " threw " + e.getCause() + "; the whole batch returns to the queue");
            return all;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return all;
        }
        if (!source.reportBatchItemFailures()) {
            return Set.of();
        }
        List<SQSBatchResponse.BatchItemFailure> failures =
                Optional.ofNullable(response).map(SQSBatchResponse::getBatchItemFailures).orElse(List.of());
        Set<String> failed = new HashSet<>();
        for (SQSBatchResponse.BatchItemFailure f : failures) {
            String id = f.getItemIdentifier();
            if (id == null || id.isEmpty() || !all.contains(id)) {
                log.accept("[event source] batch item failure '" + id + "' is not in the batch; the whole batch returns to the queue");
                return all;
            }
            failed.add(id);
        }
        return failed;
    }

    private void delete(List<Message> done) {
        for (int i = 0; i < done.size(); i += MAX_RECEIVE) {
            List<Message> chunk = done.subList(i, Math.min(done.size(), i + MAX_RECEIVE));
            List<DeleteMessageBatchRequestEntry> entries = IntStream.range(0, chunk.size())
                    .mapToObj(n -> DeleteMessageBatchRequestEntry.builder().id(String.valueOf(n)).receiptHandle(chunk.get(n).receiptHandle()).build())
                    .toList();
            sqs.deleteMessageBatch(b -> b.queueUrl(source.queueUrl()).entries(entries));
        }
    }

    private SQSEvent.SQSMessage record(Message m) {
        SQSEvent.SQSMessage r = new SQSEvent.SQSMessage();
        r.setMessageId(m.messageId());
        r.setReceiptHandle(m.receiptHandle());
        r.setBody(m.body());
        r.setMd5OfBody(m.md5OfBody());
        r.setMd5OfMessageAttributes(m.md5OfMessageAttributes());
        Map<String, String> attributes = new HashMap<>();
        attributes.putAll(m.attributesAsStrings());
        r.setAttributes(attributes);
        Map<String, SQSEvent.MessageAttribute> messageAttributes = new HashMap<>();
        m.messageAttributes().forEach((k, v) -> {
            SQSEvent.MessageAttribute a = new SQSEvent.MessageAttribute();
            a.setDataType(v.dataType());
            a.setStringValue(v.stringValue());
            messageAttributes.put(k, a);
        });
        r.setMessageAttributes(messageAttributes);
        r.setEventSource("aws:sqs");
        r.setEventSourceArn(source.queueArn());
        r.setAwsRegion("us-east-1");
        return r;
    }

    private static int size(Message m) {
        return m.body().getBytes(StandardCharsets.UTF_8).length;
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
