package dev.errand.cli;

import dev.errand.aws.SqsBatches;
import dev.errand.core.json.Json;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The dead-letter queue as an operator reads it: SQS has no peek, so reading receives messages and hides
 * them for a while ("holds" them); whatever is not acted on is made visible again at once.
 */
final class DeadLetterQueue {

    /** Long polling asks every SQS server, so an empty answer means the queue has nothing visible. */
    static final int WAIT_SECONDS = 1;
    /** How long reading hides messages from other readers: longer than a scan of thousands takes. */
    static final Duration READ_HOLD = Duration.ofSeconds(60);

    private final SqsClient sqs;
    private final SqsBatches batches;
    private final String url;

    DeadLetterQueue(SqsClient sqs, String url) {
        this.sqs = sqs;
        this.batches = new SqsBatches(sqs);
        this.url = url;
    }

    String url() {
        return url;
    }

    /** Up to {@code max} (at most 10) visible messages, hidden from other readers for {@code hold}. */
    List<DeadLetter> receive(int max, Duration hold) {
        return sqs.receiveMessage(b -> b.queueUrl(url).maxNumberOfMessages(Math.min(SqsBatches.MAX_ENTRIES, max))
                        .visibilityTimeout((int) hold.toSeconds()).waitTimeSeconds(WAIT_SECONDS)
                        .messageAttributeNames("All").messageSystemAttributeNames(MessageSystemAttributeName.ALL))
                .messages().stream().map(DeadLetterQueue::deadLetter).toList();
    }

    /**
     * Up to {@code limit} messages, each once, then all made visible again. Stops when SQS has nothing
     * more to give, or gives only messages already seen (their hold ran out during a long scan).
     */
    List<DeadLetter> peek(int limit, Duration hold) {
        Map<String, DeadLetter> seen = new LinkedHashMap<>();
        boolean more = true;
        while (more && seen.size() < limit) {
            List<DeadLetter> batch = receive(limit - seen.size(), hold);
            more = false;
            for (DeadLetter letter : batch) {
                more |= seen.put(letter.messageId(), letter) == null;
            }
        }
        List<DeadLetter> all = List.copyOf(seen.values());
        release(all);
        return all;
    }

    /** Makes held messages visible again; one that cannot be is only hidden until its hold runs out. */
    List<SqsBatches.Result> release(List<DeadLetter> letters) {
        return batches.changeVisibility(url, letters.stream().map(l -> new SqsBatches.VisibilityChange(l.receiptHandle(), 0)).toList());
    }

    /** Deletes held messages; one result per message, in order, done only when SQS confirmed it. */
    List<SqsBatches.Result> delete(List<DeadLetter> letters) {
        return batches.delete(url, letters.stream().map(DeadLetter::receiptHandle).toList());
    }

    /** The visible messages, as SQS estimates them. */
    int approximateCount() {
        return (int) depth().visible();
    }

    /** Visible and in flight (held by a reader: a redrive, the console, another list), as SQS estimates them. */
    QueueDepth depth() {
        return QueueDepth.of(sqs, url);
    }

    /** The receives after which SQS moves a message of {@code sourceQueueUrl} here; empty when unknown. */
    static Optional<Integer> maxReceiveCount(SqsClient sqs, String sourceQueueUrl) {
        try {
            String policy = sqs.getQueueAttributes(b -> b.queueUrl(sourceQueueUrl).attributeNames(QueueAttributeName.REDRIVE_POLICY))
                    .attributes().getOrDefault(QueueAttributeName.REDRIVE_POLICY, "{}");
            OptionalLong count = Json.parse(policy) instanceof Json.Parsed.Value v && v.value() instanceof Map<?, ?> m
                    ? integerOrText(m.get("maxReceiveCount")) : OptionalLong.empty();
            return count.isPresent() ? Optional.of((int) count.getAsLong()) : Optional.empty();
        } catch (SdkException e) {
            return Optional.empty();
        }
    }

    /** SQS writes maxReceiveCount as a number, some tools as a string. */
    private static OptionalLong integerOrText(Object value) {
        return value instanceof String s && s.matches("\\d{1,9}") ? OptionalLong.of(Long.parseLong(s)) : Json.integer(value);
    }

    private static DeadLetter deadLetter(Message m) {
        Map<String, String> attributes = new HashMap<>();
        m.messageAttributes().forEach((k, v) -> attributes.put(k, Optional.ofNullable(v.stringValue()).orElse("")));
        return new DeadLetter(m.messageId(), m.receiptHandle(), m.body(), attributes, m.attributesAsStrings());
    }
}
