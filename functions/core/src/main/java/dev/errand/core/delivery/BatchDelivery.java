package dev.errand.core.delivery;

import dev.errand.core.auth.Authenticator.Credentials;
import dev.errand.core.auth.Authenticator;
import dev.errand.core.job.Envelope;
import dev.errand.core.job.Job;
import dev.errand.core.log.JsonLog;
import dev.errand.core.record.JobStatus;
import dev.errand.core.record.JobStore;
import dev.errand.core.target.Target;
import dev.errand.core.target.Targets;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Delivers one batch: every message on its own virtual thread, each returning its {@link Settled}; the
 * results are collected after all have finished, in input order. No task writes to a shared list, so no
 * failure can vanish (the defect of batch helpers that add failed ids to an ArrayList from many threads).
 */
public final class BatchDelivery {

    /** A call given less than this would mostly time out: the record is deferred instead of started. */
    public static final Duration MINIMUM_CALL = Duration.ofSeconds(1);
    /** A record deferred for lack of time can be picked up by the next invocation straight away. */
    public static final Duration OUT_OF_TIME_DELAY = Duration.ofSeconds(1);
    /** Failure bodies are logged up to this many characters. */
    public static final int LOGGED_BODY_CHARS = 1024;
    public static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    public static final String USER_AGENT = "Errand/1.0";

    private final Targets targets;
    private final HttpCaller caller;
    private final RetryPolicy policy;
    private final Authenticator authenticator;
    private final JsonLog log;
    private final Clock clock;
    private final int maxInFlight;
    private final JobStore store;
    private final TargetMemory memory = new TargetMemory();

    /**
     * @param maxInFlight calls in flight across the whole batch; 1 makes it the plain loop most samples use,
     *                    which the benchmarks compare against
     */
    public BatchDelivery(Targets targets, HttpCaller caller, RetryPolicy policy, Authenticator authenticator,
                         JsonLog log, Clock clock, int maxInFlight) {
        this(targets, caller, policy, authenticator, log, clock, maxInFlight, JobStore.NONE);
    }

    /**
     * @param store job records: each call is claimed there first (the duplicate-delivery guard) and its
     *              outcome recorded after; {@link JobStore#NONE} when records are off
     */
    public BatchDelivery(Targets targets, HttpCaller caller, RetryPolicy policy, Authenticator authenticator,
                         JsonLog log, Clock clock, int maxInFlight, JobStore store) {
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("maxInFlight must be at least 1, was " + maxInFlight);
        }
        this.targets = targets;
        this.caller = caller;
        this.policy = policy;
        this.authenticator = authenticator;
        this.log = log;
        this.clock = clock;
        this.maxInFlight = maxInFlight;
        this.store = store;
    }

    public RetryPolicy policy() {
        return policy;
    }

    public List<Settled> deliver(List<IncomingMessage> messages, Deadline deadline) {
        Batch batch = new Batch(deadline, new Semaphore(maxInFlight), new ConcurrentHashMap<>(), memory, clock.instant());
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Settled>> running = new ArrayList<>(messages.size());
            for (IncomingMessage message : messages) {
                running.add(threads.submit(() -> deliver(message, batch)));
            }
            List<Settled> settled = new ArrayList<>(messages.size());
            for (int i = 0; i < messages.size(); i++) {
                settled.add(await(running.get(i), messages.get(i)));
            }
            return List.copyOf(settled);
        }
    }

    /** What the records of one batch share: the deadline, the in-flight cap, a gate per target. */
    private record Batch(Deadline deadline, Semaphore inFlight, Map<String, TargetGate> gates, TargetMemory memory,
                         Instant started) {
        TargetGate gate(Target target) {
            return gates.computeIfAbsent(target.name(), n -> new TargetGate(target, memory.trusted(n, started)));
        }
    }

    private Settled deliver(IncomingMessage message, Batch batch) {
        return switch (Envelope.decode(message.body())) {
            case Envelope.Decoded.Unreadable u -> notCalled(message, Optional.empty(), message.receiveCount() - 1,
                    new Outcome.Reject("unreadable message: " + u.reason(), Outcome.Cause.REFUSED));
            case Envelope.Decoded.Readable r -> deliver(message, r.job(), batch);
        };
    }

    private Settled deliver(IncomingMessage message, Job job, Batch batch) {
        int attempt = job.priorAttempts() + message.receiveCount();
        Optional<Target> target = targets.get(job.request().target());
        if (target.isEmpty()) {
            return notCalled(message, Optional.of(job), attempt - 1,
                    new Outcome.Reject("target '" + job.request().target() + "' is not configured (any more)", Outcome.Cause.REFUSED));
        }
        Optional<URI> uri = target.get().resolve(job.request().path());
        if (uri.isEmpty()) {
            return notCalled(message, Optional.of(job), attempt - 1,
                    new Outcome.Reject("the path would leave the target's base URL; refused", Outcome.Cause.REFUSED));
        }
        return switch (authenticator.credentials(target.get())) {
            case Credentials.Unavailable u -> notCalled(message, Optional.of(job), attempt - 1,
                    new Outcome.Deferred(policy.baseDelay(), "could not read the target's secret: " + u.reason()));
            case Credentials.Refused r -> notCalled(message, Optional.of(job), attempt - 1,
                    new Outcome.Reject("the target's credentials are refused: " + r.reason(), Outcome.Cause.REFUSED));
            case Credentials.Ready ready -> {
                var request = new OutgoingRequest(uri.get(), job.request().method(), headers(job, ready), job.request().body(),
                        target.get().httpVersion());
                yield callWithinLimits(message, job, attempt, target.get(), request, batch);
            }
        };
    }

    private Settled callWithinLimits(IncomingMessage message, Job job, int attempt, Target target,
                                     OutgoingRequest request, Batch batch) {
        if (!acquire(batch)) {
            return notCalled(message, Optional.of(job), attempt - 1,
                    new Outcome.Deferred(OUT_OF_TIME_DELAY, "not started: too little time left in this invocation"));
        }
        try {
            TargetGate gate = batch.gate(target);
            return switch (gate.enter(batch.deadline(), MINIMUM_CALL)) {
                case TargetGate.Admission.Refused refused -> notCalled(message, Optional.of(job), attempt - 1,
                        new Outcome.Deferred(refused.why() == TargetGate.Refusal.BREAKER_OPEN ? policy.baseDelay() : OUT_OF_TIME_DELAY,
                                refused.reason()));
                case TargetGate.Admission.Admitted admitted -> claimThenCall(message, job, attempt, target, request, gate, batch.deadline());
            };
        } finally {
            batch.inFlight().release();
        }
    }

    /**
     * Claims the attempt in the job record, then calls. The claim comes after admission so that a record
     * deferred by the gate never holds an attempt it did not make. Once a claim may have been written, a
     * job that is not called is re-sent counting that attempt: the record is then already past it, and a
     * copy carrying the attempt again would be taken for a repeat.
     */
    private Settled claimThenCall(IncomingMessage message, Job job, int attempt, Target target, OutgoingRequest request,
                                  TargetGate gate, Deadline deadline) {
        boolean calling = false;
        try {
            Settled settled = switch (store.claim(job, attempt, message.redriven(), message.messageId() + ":" + message.receiveCount())) {
                case JobStore.Claim.Claimed c when !deadline.allows(MINIMUM_CALL) -> notCalled(message, Optional.of(job), attempt,
                        new Outcome.Deferred(OUT_OF_TIME_DELAY, "not started: the claim left too little time in this invocation"));
                case JobStore.Claim.Claimed c -> {
                    calling = true;
                    yield call(message, job, attempt, target, request, gate, deadline);
                }
                case JobStore.Claim.AlreadySucceeded s -> notCalled(message, Optional.of(job), attempt - 1,
                        new Outcome.Skip("duplicate delivery: the job already succeeded; the provider is not called again"));
                case JobStore.Claim.Superseded s -> notCalled(message, Optional.of(job), attempt - 1,
                        new Outcome.Skip("the job record is already " + s.status().wire() + " after " + s.attempts()
                                + " attempts: this copy of its message is late or repeated"));
                case JobStore.Claim.Unavailable u -> notCalled(message, Optional.of(job), attempt,
                        new Outcome.Deferred(policy.baseDelay(), "job records unavailable: " + u.reason()));
            };
            return settled;
        } finally {
            if (!calling) {
                gate.cancel();
            }
        }
    }

    private Settled call(IncomingMessage message, Job job, int attempt, Target target, OutgoingRequest request,
                         TargetGate gate, Deadline deadline) {
        Verdict verdict = new Verdict.Transient("the consumer failed during the call", Optional.empty(), Optional.empty());
        boolean sent = true;
        try {
            Duration timeout = target.timeout().compareTo(deadline.remaining()) < 0 ? target.timeout() : deadline.remaining();
            // scrubbed before anything reads it: a provider may echo our credentials in its answer
            CallResult result = redacted(caller.call(authenticator.signed(target, job.id().value(), request, clock.instant()), timeout));
            if (result instanceof CallResult.NotSent notSent) {
                // our own client held it back (no connection slot in time): not the provider's failure, so no breaker
                // count and nothing remembered; a claim written makes the copy carry this attempt (see claimThenCall)
                sent = false;
                return notCalled(message, Optional.of(job), store.enabled() ? attempt : attempt - 1,
                        new Outcome.Deferred(OUT_OF_TIME_DELAY, "not sent: " + notSent.detail()));
            }
            verdict = afterUnauthorized(target, request, OutcomeRules.classify(result, clock.instant()));
            Outcome outcome = redacted(policy.decide(attempt, verdict));
            logAttempt(job, target, attempt, result, outcome);
            recordOutcome(job, attempt, outcome, status(result));
            return new Settled(message, Optional.of(job), attempt, outcome, status(result), Optional.of(result.latency()));
        } finally {
            if (sent) {
                gate.exit(verdict);
                memory.heard(target.name(), verdict, clock.instant());
            } else {
                gate.cancel();
            }
        }
    }

    /** Succeeded and retrying are written here; failed and dead only once the dead letter is safely sent. */
    private void recordOutcome(Job job, int attempt, Outcome outcome, Optional<Integer> status) {
        JobStore.Write written = switch (outcome) {
            case Outcome.Delivered d -> store.record(job.id(), attempt, JobStatus.SUCCEEDED, status, Optional.empty());
            case Outcome.Retry r -> store.record(job.id(), attempt, JobStatus.RETRYING, status, Optional.of(r.reason()));
            case Outcome.Reject r -> new JobStore.Write.Done();
            case Outcome.Deferred d -> new JobStore.Write.Done();
            case Outcome.Skip s -> new JobStore.Write.Done();
        };
        if (written instanceof JobStore.Write.Unavailable u) {
            log.warn("job record not updated", Map.of("jobId", job.id().value(), "attempt", attempt, "error", u.reason()));
        }
    }

    /** A 401 after the secret was rotated is our stale cache, not the job's fault: retry with the new secret. */
    private Verdict afterUnauthorized(Target target, OutgoingRequest request, Verdict verdict) {
        if (verdict instanceof Verdict.Permanent p && p.status().equals(Optional.of(401))
                && authenticator.refreshAfterUnauthorized(target, request.headers())) {
            return new Verdict.Transient("HTTP 401 with a secret that has since changed; the next attempt uses the new one",
                    Optional.empty(), p.status());
        }
        return verdict;
    }

    private boolean acquire(Batch batch) {
        try {
            long waitNanos = batch.deadline().remaining().minus(MINIMUM_CALL).toNanos();
            return waitNanos > 0 && batch.inFlight().tryAcquire(waitNanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static Map<String, String> headers(Job job, Credentials.Ready credentials) {
        // header names ignore case: the credentials must replace, not join, a job header of the same name
        Map<String, String> headers = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        Map<String, String> given = job.request().headers();
        boolean hasContentType = given.keySet().stream().anyMatch(h -> h.equalsIgnoreCase("content-type"));
        boolean hasUserAgent = given.keySet().stream().anyMatch(h -> h.equalsIgnoreCase("user-agent"));
        if (job.request().body().isPresent() && !hasContentType) {
            headers.put("Content-Type", "application/json");
        }
        if (!hasUserAgent) {
            headers.put("User-Agent", USER_AGENT);
        }
        headers.putAll(given);
        headers.put(IDEMPOTENCY_KEY, job.id().value());
        headers.putAll(credentials.headers());
        return headers;
    }

    private Settled notCalled(IncomingMessage message, Optional<Job> job, int callsMade, Outcome outcome) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("jobId", job.map(j -> j.id().value()).orElse(""));
        fields.put("target", job.map(j -> j.request().target()).orElse(""));
        fields.put("messageId", message.messageId());
        fields.put("outcome", name(outcome));
        fields.put("reason", reason(outcome));
        log.log(outcome instanceof Outcome.Reject ? JsonLog.Level.WARN : JsonLog.Level.INFO, "not attempted", fields);
        return new Settled(message, job, Math.max(0, callsMade), outcome, Optional.empty(), Optional.empty());
    }

    private void logAttempt(Job job, Target target, int attempt, CallResult result, Outcome outcome) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("jobId", job.id().value());
        fields.put("target", target.name());
        fields.put("attempt", attempt);
        fields.put("outcome", name(outcome));
        status(result).ifPresent(s -> fields.put("status", s));
        fields.put("latencyMs", result.latency().toMillis());
        if (outcome instanceof Outcome.Retry retry) {
            fields.put("retryInSeconds", retry.delay().toSeconds());
        }
        if (!(outcome instanceof Outcome.Delivered)) {
            fields.put("error", authenticator.redact(truncate(switch (result) {
                case CallResult.Responded r -> r.bodyPrefix();
                case CallResult.NoResponse n -> n.failure().name().toLowerCase(Locale.ROOT) + ": " + n.detail();
                case CallResult.NotSent n -> "not sent: " + n.detail();
            })));
        }
        log.log(outcome instanceof Outcome.Delivered ? JsonLog.Level.INFO : JsonLog.Level.WARN, "attempt", fields);
    }

    private Settled await(Future<Settled> running, IncomingMessage message) {
        try {
            return running.get();
        } catch (ExecutionException e) {
            // a bug in this consumer, not the provider's fault: keep the message, let it come back
            Outcome outcome = new Outcome.Retry(policy.delay(1, Optional.empty()), "consumer error: " + e.getCause());
            return notCalled(message, Optional.empty(), message.receiveCount(), outcome);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return notCalled(message, Optional.empty(), message.receiveCount() - 1,
                    new Outcome.Deferred(OUT_OF_TIME_DELAY, "interrupted before it finished"));
        }
    }

    private CallResult redacted(CallResult result) {
        return switch (result) {
            case CallResult.Responded r -> new CallResult.Responded(r.status(), r.retryAfter(), authenticator.redact(r.bodyPrefix()), r.latency());
            case CallResult.NoResponse n -> n;
            case CallResult.NotSent n -> n;
        };
    }

    /** A provider may echo our auth header in its error body: reasons travel to the DLQ, so scrub them. */
    private Outcome redacted(Outcome outcome) {
        return switch (outcome) {
            case Outcome.Delivered d -> d;
            case Outcome.Retry r -> new Outcome.Retry(r.delay(), authenticator.redact(r.reason()));
            case Outcome.Reject r -> new Outcome.Reject(authenticator.redact(r.reason()), r.cause());
            case Outcome.Deferred d -> d;
            case Outcome.Skip s -> s;
        };
    }

    static String name(Outcome outcome) {
        return switch (outcome) {
            case Outcome.Delivered d -> "delivered";
            case Outcome.Retry r -> "retry";
            case Outcome.Reject r -> "rejected";
            case Outcome.Deferred d -> "deferred";
            case Outcome.Skip s -> "skipped";
        };
    }

    private static String reason(Outcome outcome) {
        return switch (outcome) {
            case Outcome.Delivered d -> "HTTP " + d.status();
            case Outcome.Retry r -> r.reason();
            case Outcome.Reject r -> r.reason();
            case Outcome.Deferred d -> d.reason();
            case Outcome.Skip s -> s.reason();
        };
    }

    private static Optional<Integer> status(CallResult result) {
        return result instanceof CallResult.Responded r ? Optional.of(r.status()) : Optional.empty();
    }

    private static String truncate(String text) {
        return text.length() > LOGGED_BODY_CHARS ? text.substring(0, LOGGED_BODY_CHARS) : text;
    }
}
