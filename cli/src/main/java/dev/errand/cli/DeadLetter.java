package dev.errand.cli;

import dev.errand.core.job.Envelope;
import dev.errand.core.job.JobId;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A message received from the dead-letter queue: its body (the envelope as the consumer received it), the
 * consumer's {@code errand.*} attributes, and SQS's own attributes. A message SQS moved there itself
 * (the consumer crashed or timed out on it maxReceiveCount times) has no {@code errand.reason}.
 */
record DeadLetter(String messageId, String receiptHandle, String body, Map<String, String> attributes,
                  Map<String, String> sqsAttributes) {

    /** The attributes the consumer (process-jobs' Settlement) puts on a dead letter. */
    static final String REASON = "errand.reason";
    static final String ATTEMPTS = "errand.attempts";
    static final String JOB_ID = "errand.jobId";
    static final String TARGET = "errand.target";
    static final String LAST_STATUS = "errand.lastStatus";
    static final String SOURCE_MESSAGE_ID = "errand.sourceMessageId";
    static final String SENT_TIMESTAMP = "SentTimestamp";

    DeadLetter {
        attributes = Collections.unmodifiableMap(new TreeMap<>(attributes));
        sqsAttributes = Collections.unmodifiableMap(new TreeMap<>(sqsAttributes));
    }

    Envelope.Decoded envelope() {
        return Envelope.decode(body);
    }

    Optional<JobId> jobId() {
        return Optional.ofNullable(attributes.get(JOB_ID)).flatMap(JobId::parse).or(() -> switch (envelope()) {
            case Envelope.Decoded.Readable r -> Optional.of(r.job().id());
            case Envelope.Decoded.Unreadable u -> u.jobId();
        });
    }

    Optional<String> target() {
        return Optional.ofNullable(attributes.get(TARGET)).or(() -> switch (envelope()) {
            case Envelope.Decoded.Readable r -> Optional.of(r.job().request().target());
            case Envelope.Decoded.Unreadable u -> Optional.empty();
        });
    }

    /** True when SQS's redrive policy moved it, not the consumer: no reason was given. */
    boolean movedBySqs() {
        return !attributes.containsKey(REASON);
    }

    /** Why it is here; for a message SQS moved, what that means given the jobs queue's maxReceiveCount. */
    String reason(Optional<Integer> maxReceiveCount) {
        return Optional.ofNullable(attributes.get(REASON)).orElseGet(() -> "moved by SQS after "
                + maxReceiveCount.map(String::valueOf).orElse("repeated") + " receives (the consumer crashed or timed out)");
    }

    /**
     * Calls made for the job: as the consumer counted them, or for a message SQS moved, the count its
     * envelope carried (at least that many; the crashed calls are not counted).
     */
    int attempts() {
        return Optional.ofNullable(attributes.get(ATTEMPTS)).map(Integer::parseInt).orElseGet(() -> switch (envelope()) {
            case Envelope.Decoded.Readable r -> r.job().priorAttempts();
            case Envelope.Decoded.Unreadable u -> 0;
        });
    }

    Optional<Integer> lastStatus() {
        return Optional.ofNullable(attributes.get(LAST_STATUS)).map(Integer::parseInt);
    }

    Optional<String> sourceMessageId() {
        return Optional.ofNullable(attributes.get(SOURCE_MESSAGE_ID));
    }

    /** When SQS took the message into the DLQ; its 14-day retention runs from here (for a moved message, from its first send). */
    Instant sentAt() {
        return Instant.ofEpochMilli(Long.parseLong(sqsAttributes.getOrDefault(SENT_TIMESTAMP, "0")));
    }

    Duration age(Instant now) {
        return Duration.between(sentAt(), now);
    }

    DeadLetter withReceiptHandle(String handle) {
        return new DeadLetter(messageId, handle, body, attributes, sqsAttributes);
    }
}
