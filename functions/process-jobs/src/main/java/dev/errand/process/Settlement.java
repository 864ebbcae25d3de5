package dev.errand.process;

import dev.errand.aws.QueueMessage;
import dev.errand.aws.SqsBatches;
import dev.errand.aws.SqsJobQueue;
import dev.errand.core.delivery.Outcome;
import dev.errand.core.delivery.Settled;
import dev.errand.core.job.Envelope;
import dev.errand.core.log.JsonLog;
import dev.errand.core.record.JobStatus;
import dev.errand.core.record.JobStore;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Applies a batch's outcomes to SQS and decides which message ids Lambda must keep (the batch item
 * failures). A message is let go only when its fate is recorded elsewhere: delivered, safely in the DLQ,
 * or re-sent. When a DLQ send or re-send fails, the message is kept, so nothing is lost.
 */
final class Settlement {

    /** Attributes on a dead letter: why it died, how many calls it had, which job it was. */
    static final String REASON = "errand.reason";
    static final String ATTEMPTS = "errand.attempts";
    static final String JOB_ID = SqsJobQueue.JOB_ID;
    static final String TARGET = SqsJobQueue.TARGET;
    static final String LAST_STATUS = "errand.lastStatus";
    static final String DEAD_AT = "errand.deadAt";
    static final String SOURCE_MESSAGE_ID = "errand.sourceMessageId";
    /** On a deferred copy of a redriven job, so the copy still counts as redriven when it comes back. */
    static final String REDRIVEN = "errand.redriven";
    /** Reasons are cut here: enough to act on, small beside the 1 MiB message limit. */
    static final int REASON_CHARS = 1024;
    /** SQS's DelaySeconds maximum, for re-sent (deferred) messages. */
    static final int MAX_DELAY_SECONDS = 900;
    /**
     * SQS hides a message at most 12 h from when it was received; the batching window (up to 5 min) and the
     * invocation (up to 15 min) have used some of that already, so a longer change would be refused.
     */
    static final int MAX_VISIBILITY_SECONDS = 43_200 - 1_200;

    private final SqsBatches sqs;
    private final String jobsQueueUrl;
    private final String deadLetterQueueUrl;
    private final Clock clock;
    private final JsonLog log;
    private final JobStore store;

    Settlement(SqsBatches sqs, String jobsQueueUrl, String deadLetterQueueUrl, Clock clock, JsonLog log, JobStore store) {
        this.sqs = sqs;
        this.jobsQueueUrl = jobsQueueUrl;
        this.deadLetterQueueUrl = deadLetterQueueUrl;
        this.clock = clock;
        this.log = log;
        this.store = store;
    }

    /** One settled message with its receipt handle, which only SQS's side knows. */
    private record Item(Settled settled, String receiptHandle) {
        String messageId() {
            return settled.message().messageId();
        }
    }

    /** Settles the batch; answers the ids of the messages SQS must deliver again, in input order. */
    List<String> settle(List<Settled> settled, List<String> receiptHandles) {
        List<Item> retries = new ArrayList<>();
        List<Item> rejects = new ArrayList<>();
        List<Item> deferrals = new ArrayList<>();
        for (int i = 0; i < settled.size(); i++) {
            Item item = new Item(settled.get(i), receiptHandles.get(i));
            switch (item.settled().outcome()) {
                case Outcome.Delivered d -> { }
                case Outcome.Skip skip -> { }
                case Outcome.Retry r -> retries.add(item);
                case Outcome.Reject r -> rejects.add(item);
                case Outcome.Deferred d -> deferrals.add(item);
            }
        }
        List<Item> keep = new ArrayList<>(retries);
        delayAll(retries);
        keep.addAll(deadLetter(rejects));
        keep.addAll(resend(deferrals));
        java.util.Set<String> kept = new java.util.HashSet<>(keep.stream().map(Item::messageId).toList());
        return settled.stream().map(s -> s.message().messageId()).filter(kept::contains).distinct().toList();
    }

    /** Sets each message's visibility to its wait; a failed change only means it returns sooner. */
    private void delayAll(List<Item> items) {
        List<SqsBatches.Result> results = sqs.changeVisibility(jobsQueueUrl, items.stream()
                .map(i -> new SqsBatches.VisibilityChange(i.receiptHandle(), visibility(delayOf(i.settled().outcome()))))
                .toList());
        for (int i = 0; i < items.size(); i++) {
            if (results.get(i) instanceof SqsBatches.Result.Failed f) {
                log.warn("visibility not changed", Map.of("messageId", items.get(i).messageId(), "error", f.detail()));
            }
        }
    }

    /** Sends rejected messages to the DLQ with the reason; those that could not be sent are kept. */
    private List<Item> deadLetter(List<Item> items) {
        List<SqsBatches.Result> results = sqs.send(deadLetterQueueUrl, items.stream().map(this::deadLetter).toList());
        List<Item> keep = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            Item item = items.get(i);
            Settled s = item.settled();
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("jobId", s.job().map(j -> j.id().value()).orElse(""));
            fields.put("target", s.job().map(j -> j.request().target()).orElse(""));
            fields.put("attempts", s.callsMade());
            fields.put("reason", reason(s));
            switch (results.get(i)) {
                case SqsBatches.Result.Done d -> {
                    log.warn("dead-lettered", fields);
                    markDead(s);
                }
                case SqsBatches.Result.Failed f -> {
                    fields.put("error", f.detail());
                    log.error("dead-letter send failed; the message stays on the jobs queue", fields);
                    keep.add(item);
                }
            }
        }
        keep.forEach(i -> log.info("kept", Map.of("messageId", i.messageId())));
        return keep;
    }

    /** The record ends failed or dead only now that the dead letter is safely in its queue. */
    private void markDead(Settled s) {
        if (s.job().isEmpty() || !(s.outcome() instanceof Outcome.Reject reject)) {
            return;
        }
        JobStatus status = switch (reject.cause()) {
            case REFUSED -> JobStatus.FAILED;
            case EXHAUSTED -> JobStatus.DEAD;
        };
        if (store.record(s.job().get().id(), s.callsMade(), status, s.status(), Optional.of(reason(s)))
                instanceof JobStore.Write.Unavailable u) {
            log.warn("job record not updated", Map.of("jobId", s.job().get().id().value(), "error", u.reason()));
        }
    }

    private QueueMessage deadLetter(Item item) {
        Settled s = item.settled();
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put(REASON, reason(s));
        attributes.put(ATTEMPTS, String.valueOf(s.callsMade()));
        attributes.put(DEAD_AT, clock.instant().toString());
        attributes.put(SOURCE_MESSAGE_ID, item.messageId());
        s.job().ifPresent(j -> {
            attributes.put(JOB_ID, j.id().value());
            attributes.put(TARGET, j.request().target());
        });
        s.status().ifPresent(code -> attributes.put(LAST_STATUS, String.valueOf(code)));
        // its calls are in the attributes; the body starts from none, so a redrive by any means starts a fresh schedule
        String body = s.job().map(j -> Envelope.encode(j.withPriorAttempts(0))).orElse(s.message().body());
        return new QueueMessage(body, attributes, 0);
    }

    /** Re-sends deferred jobs carrying their call count, so a receive without a call never counts as an attempt. */
    private List<Item> resend(List<Item> items) {
        List<Item> sendable = items.stream().filter(i -> i.settled().job().isPresent()).toList();
        List<Item> keep = new ArrayList<>(items.stream().filter(i -> i.settled().job().isEmpty()).toList());
        List<SqsBatches.Result> results = sqs.send(jobsQueueUrl, sendable.stream().map(this::deferredCopy).toList());
        for (int i = 0; i < sendable.size(); i++) {
            if (results.get(i) instanceof SqsBatches.Result.Failed f) {
                log.warn("deferred job not re-sent; it comes back through SQS instead",
                        Map.of("messageId", sendable.get(i).messageId(), "error", f.detail()));
                keep.add(sendable.get(i));
            }
        }
        delayAll(keep);
        return keep;
    }

    /** The job again, carrying the calls it has had, and still marked redriven if it was. */
    private QueueMessage deferredCopy(Item item) {
        Settled s = item.settled();
        QueueMessage copy = SqsJobQueue.message(s.job().orElseThrow().withPriorAttempts(s.callsMade()),
                Math.min(MAX_DELAY_SECONDS, visibility(delayOf(s.outcome()))));
        if (!s.message().redriven()) {
            return copy;
        }
        Map<String, String> attributes = new LinkedHashMap<>(copy.attributes());
        attributes.put(REDRIVEN, "true");
        return new QueueMessage(copy.body(), attributes, copy.delaySeconds());
    }

    /** The reason, cut short and with only characters SQS accepts in an attribute (a provider's body may hold any). */
    static String reason(Settled s) {
        String reason = s.outcome() instanceof Outcome.Reject r ? r.reason() : "";
        String cut = reason.length() > REASON_CHARS ? reason.substring(0, REASON_CHARS) + "…" : reason;
        StringBuilder clean = new StringBuilder(cut.length());
        cut.codePoints().forEach(c -> clean.appendCodePoint(xmlAllowed(c) ? c : '?'));
        return clean.toString();
    }

    /** The characters SQS allows in message bodies and attributes (the XML 1.0 set). */
    private static boolean xmlAllowed(int c) {
        return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD)
                || (c >= 0x10000 && c <= 0x10FFFF);
    }

    private static Duration delayOf(Outcome outcome) {
        return switch (outcome) {
            case Outcome.Retry r -> r.delay();
            case Outcome.Deferred d -> d.delay();
            case Outcome.Delivered d -> Duration.ZERO;
            case Outcome.Reject r -> Duration.ZERO;
            case Outcome.Skip skip -> Duration.ZERO;
        };
    }

    /** Whole seconds, rounded up so a wait is never shortened, within SQS's 12-hour limit. */
    private static int visibility(Duration delay) {
        long seconds = (delay.toMillis() + 999) / 1000;
        return (int) Math.min(MAX_VISIBILITY_SECONDS, Math.max(0, seconds));
    }
}
