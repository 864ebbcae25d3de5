package dev.errand.process;

import dev.errand.aws.QueueMessage;
import dev.errand.aws.SqsBatches;
import dev.errand.aws.SqsJobQueue;
import dev.errand.core.delivery.Outcome;
import dev.errand.core.delivery.Settled;
import dev.errand.core.job.Envelope;
import dev.errand.core.job.Job;
import dev.errand.core.log.JsonLog;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * Applies a batch's outcomes to SQS and decides which message ids Lambda must keep (the batch item
 * failures). A message is let go only when its fate is recorded elsewhere: delivered, safely in the DLQ,
 * or re-sent. When a send fails, the message is kept, so nothing is lost. The three kinds of work (retries'
 * visibility, dead letters, deferred copies) run at once, each in batch calls made in parallel, and nothing
 * is waited for past the deadline: what SQS has not confirmed by then is kept.
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
    /** A copy carrying its verdict comes back at once, to be dead-lettered on its next receive. */
    static final int DOOMED_COPY_DELAY_SECONDS = 1;
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

    Settlement(SqsBatches sqs, String jobsQueueUrl, String deadLetterQueueUrl, Clock clock, JsonLog log) {
        this.sqs = sqs;
        this.jobsQueueUrl = jobsQueueUrl;
        this.deadLetterQueueUrl = deadLetterQueueUrl;
        this.clock = clock;
        this.log = log;
    }

    /** One settled message with its receipt handle, which only SQS's side knows. */
    private record Item(Settled settled, String receiptHandle) {
        String messageId() {
            return settled.message().messageId();
        }
    }

    /** Settles the batch by {@code by}; answers the ids of the messages SQS must deliver again, in input order. */
    List<String> settle(List<Settled> settled, List<String> receiptHandles, Instant by) {
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
        List<List<Item>> kept = atOnce(List.of(
                () -> delay(retries, by),
                () -> deadLetter(rejects, by),
                () -> resend(deferrals, by)));
        Set<String> keep = new HashSet<>();
        kept.forEach(items -> items.forEach(i -> keep.add(i.messageId())));
        return settled.stream().map(s -> s.message().messageId()).filter(keep::contains).distinct().toList();
    }

    /** Runs each step on its own virtual thread; every step bounds its own SQS calls by the deadline. */
    private static List<List<Item>> atOnce(List<Supplier<List<Item>>> steps) {
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<CompletableFuture<List<Item>>> running = steps.stream()
                    .map(step -> CompletableFuture.supplyAsync(step, threads))
                    .toList();
            return running.stream().map(CompletableFuture::join).toList();
        }
    }

    /** Retries: each message hidden for its wait, and kept; a failed change only means it returns sooner. */
    private List<Item> delay(List<Item> items, Instant by) {
        List<SqsBatches.Result> results = sqs.changeVisibility(jobsQueueUrl, items.stream()
                .map(i -> new SqsBatches.VisibilityChange(i.receiptHandle(), visibility(delayOf(i.settled().outcome()))))
                .toList(), by);
        for (int i = 0; i < items.size(); i++) {
            if (results.get(i) instanceof SqsBatches.Result.Failed f) {
                log.warn("visibility not changed", Map.of("messageId", items.get(i).messageId(), "error", f.detail()));
            }
        }
        return items;
    }

    /**
     * Rejects go to the DLQ with the reason. One whose send fails is re-sent to the jobs queue carrying its
     * verdict, so its next receive dead-letters it without a call; if that fails too it is kept, and its job
     * record (written before settling) stops the call on the next receive.
     */
    private List<Item> deadLetter(List<Item> items, Instant by) {
        List<SqsBatches.Result> results = sqs.send(deadLetterQueueUrl, items.stream().map(this::deadLetter).toList(), by);
        List<Item> unsent = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            Item item = items.get(i);
            Map<String, Object> fields = deadLetterFields(item.settled());
            switch (results.get(i)) {
                case SqsBatches.Result.Done d -> log.warn("dead-lettered", fields);
                case SqsBatches.Result.Failed f -> {
                    fields.put("error", f.detail());
                    log.error("dead-letter send failed; the job is held until it can be dead-lettered, and is not called again", fields);
                    unsent.add(item);
                }
            }
        }
        List<Item> doomable = unsent.stream().filter(i -> i.settled().job().isPresent()).toList();
        List<Item> keep = new ArrayList<>(unsent.stream().filter(i -> i.settled().job().isEmpty()).toList());
        List<SqsBatches.Result> copies = sqs.send(jobsQueueUrl, doomable.stream().map(this::doomedCopy).toList(), by);
        for (int i = 0; i < doomable.size(); i++) {
            if (copies.get(i) instanceof SqsBatches.Result.Failed) {
                keep.add(doomable.get(i));
            }
        }
        keep.forEach(i -> log.info("kept", Map.of("messageId", i.messageId())));
        return keep;
    }

    private static Map<String, Object> deadLetterFields(Settled s) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("jobId", s.job().map(j -> j.id().value()).orElse(""));
        fields.put("target", s.job().map(j -> j.request().target()).orElse(""));
        fields.put("attempts", s.callsMade());
        fields.put("reason", reason(s));
        return fields;
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
        String body = s.job().map(j -> Envelope.encode(j.forDeadLetter())).orElse(s.message().body());
        QueueMessage letter = new QueueMessage(body, attributes, 0);
        return s.job().map(j -> letter.inGroup(j.request().target())).orElse(letter);
    }

    /** The job again, on the jobs queue, carrying the verdict its dead letter could not take. */
    private QueueMessage doomedCopy(Item item) {
        Settled s = item.settled();
        Outcome.Reject reject = (Outcome.Reject) s.outcome();
        Job doomed = s.job().orElseThrow().doomed(s.callsMade(),
                new Job.FinalVerdict(reason(s), reject.cause() == Outcome.Cause.EXHAUSTED));
        return SqsJobQueue.message(doomed, DOOMED_COPY_DELAY_SECONDS);
    }

    /** Re-sends deferred jobs carrying their call count, so a receive without a call never counts as an attempt. */
    private List<Item> resend(List<Item> items, Instant by) {
        List<Item> sendable = items.stream().filter(i -> i.settled().job().isPresent()).toList();
        List<Item> keep = new ArrayList<>(items.stream().filter(i -> i.settled().job().isEmpty()).toList());
        List<SqsBatches.Result> results = sqs.send(jobsQueueUrl, sendable.stream().map(this::deferredCopy).toList(), by);
        for (int i = 0; i < sendable.size(); i++) {
            if (results.get(i) instanceof SqsBatches.Result.Failed f) {
                log.warn("deferred job not re-sent; it comes back through SQS instead",
                        Map.of("messageId", sendable.get(i).messageId(), "error", f.detail()));
                keep.add(sendable.get(i));
            }
        }
        return delay(keep, by);
    }

    /** The job again, carrying the calls it has had and when its deferrals began, and still marked redriven if it was. */
    private QueueMessage deferredCopy(Item item) {
        Settled s = item.settled();
        Outcome.Deferred deferred = (Outcome.Deferred) s.outcome();
        QueueMessage copy = SqsJobQueue.message(s.job().orElseThrow().deferred(s.callsMade(), deferred.since()),
                Math.min(MAX_DELAY_SECONDS, visibility(deferred.delay())));
        if (!s.message().redriven()) {
            return copy;
        }
        Map<String, String> attributes = new LinkedHashMap<>(copy.attributes());
        attributes.put(REDRIVEN, "true");
        return new QueueMessage(copy.body(), attributes, copy.delaySeconds(), copy.group());
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
