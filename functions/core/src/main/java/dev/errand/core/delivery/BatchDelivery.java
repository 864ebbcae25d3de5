package dev.errand.core.delivery;

import dev.errand.core.announce.Announcements;
import dev.errand.core.announce.Announcer;
import dev.errand.core.auth.Authenticator.Credentials;
import dev.errand.core.auth.Authenticator;
import dev.errand.core.fleet.FleetControl;
import dev.errand.core.job.Envelope;
import dev.errand.core.job.Job;
import dev.errand.core.log.JsonLog;
import dev.errand.core.record.JobLife;
import dev.errand.core.record.JobStatus;
import dev.errand.core.record.JobStore;
import dev.errand.core.target.Target;
import dev.errand.core.target.Targets;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Delivers one batch: every message on its own virtual thread, each returning its {@link Settled}; the
 * results are collected after all have finished, in input order. No task writes to a shared list, so no
 * failure can vanish (the defect of batch helpers that add failed ids to an ArrayList from many threads).
 *
 * <p>One message goes down a ladder of checks ({@link #deliver(IncomingMessage, Job, Batch)}); each rung
 * either lets it on or settles it: dropped (to the dead-letter queue without a call), deferred (back later
 * without using an attempt, within MaxDeferralSeconds), skipped (its record proves nothing is left to do),
 * or called. Every outcome is written to the job record as {@link JobLife}'s table says, in this task, so
 * the record is right before the batch is settled.
 */
public final class BatchDelivery {

    /** A call given less than this would mostly time out: the record is deferred instead of started. */
    public static final Duration MINIMUM_CALL = Duration.ofSeconds(1);
    /** A record deferred for lack of time can be picked up by the next invocation straight away. */
    public static final Duration OUT_OF_TIME_DELAY = Duration.ofSeconds(1);
    /** Failure bodies are logged up to this many characters. */
    public static final int LOGGED_BODY_CHARS = 1024;
    /**
     * Job record writes in flight per invocation: DynamoDB takes many more, but every connection costs this
     * function a TLS handshake, and a thousand at once would spend the CPU the calls need.
     */
    public static final int RECORD_WRITES_IN_FLIGHT = 50;
    /**
     * A call may run to the deadline; its outcome's record write may start this much after it, out of the
     * settling reserve (whose minimum allows for it).
     */
    static final Duration OUTCOME_WRITE_SLACK = Duration.ofMillis(500);
    public static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    public static final String USER_AGENT = "Errand/1.0";

    private final Supplier<Targets> targets;
    private final HttpCaller caller;
    private final RetryPolicy policy;
    private final Authenticator authenticator;
    private final JsonLog log;
    private final Clock clock;
    private final int maxInFlight;
    private final JobStore store;
    private final Duration maxDeferral;
    private final FleetControl fleet;
    private final Announcements announcements;
    private final TargetMemory memory = new TargetMemory();

    /**
     * Without job records and with the default deferral bound.
     *
     * @param maxInFlight calls in flight across the whole batch; 1 makes it the plain loop most samples use,
     *                    which the benchmarks compare against
     */
    public BatchDelivery(Targets targets, HttpCaller caller, RetryPolicy policy, Authenticator authenticator,
                         JsonLog log, Clock clock, int maxInFlight) {
        this(() -> targets, caller, policy, authenticator, log, clock, maxInFlight, JobStore.NONE, JobLife.DEFAULT_MAX_DEFERRAL,
                FleetControl.perInvocation(clock));
    }

    /**
     * @param targets     the targets document as it is now (re-read now and then, so a target removed from it is refused)
     * @param store       job records: each call is claimed there first (the duplicate-delivery guard) and its
     *                    outcome recorded after; {@link JobStore#NONE} when records are off
     * @param maxDeferral how long a job may be put off without a call before it goes to the dead-letter queue
     * @param fleet       the fleet-wide breaker, rate limit, pause and hold of each target
     */
    public BatchDelivery(Supplier<Targets> targets, HttpCaller caller, RetryPolicy policy, Authenticator authenticator,
                         JsonLog log, Clock clock, int maxInFlight, JobStore store, Duration maxDeferral, FleetControl fleet) {
        this(targets, caller, policy, authenticator, log, clock, maxInFlight, store, maxDeferral, fleet, Announcer.NONE);
    }

    /**
     * @param announcer where a job's end is announced (its notification, its event): a message is let go only
     *                  once its job's end is announced
     */
    public BatchDelivery(Supplier<Targets> targets, HttpCaller caller, RetryPolicy policy, Authenticator authenticator,
                         JsonLog log, Clock clock, int maxInFlight, JobStore store, Duration maxDeferral, FleetControl fleet,
                         Announcer announcer) {
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("maxInFlight must be at least 1, was " + maxInFlight);
        }
        if (maxDeferral.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("maxDeferral must be at least 1 s, was " + maxDeferral);
        }
        this.targets = targets;
        this.caller = caller;
        this.policy = policy;
        this.authenticator = authenticator;
        this.log = log;
        this.clock = clock;
        this.maxInFlight = maxInFlight;
        this.store = store;
        this.maxDeferral = maxDeferral;
        this.fleet = fleet;
        this.announcements = new Announcements(store, announcer, clock);
    }

    public RetryPolicy policy() {
        return policy;
    }

    /** Delivers a batch whose claims last until its calls' deadline (tests and benchmarks). */
    public List<Settled> deliver(List<IncomingMessage> messages, Deadline deadline) {
        return deliver(messages, deadline, deadline.end());
    }

    /**
     * @param deadline      by when every call must be over
     * @param invocationEnd when this invocation ends: a job claimed here is not claimed again before it
     */
    public List<Settled> deliver(List<IncomingMessage> messages, Deadline deadline, Instant invocationEnd) {
        List<Envelope.Decoded> decoded = messages.stream().map(m -> Envelope.decode(m.body())).toList();
        Map<String, Integer> jobsPerTarget = new HashMap<>();
        decoded.forEach(d -> {
            if (d instanceof Envelope.Decoded.Readable r) {
                jobsPerTarget.merge(r.job().request().target(), 1, Integer::sum);
            }
        });
        Batch batch = new Batch(targets.get(), deadline, invocationEnd, new Semaphore(maxInFlight),
                new Semaphore(RECORD_WRITES_IN_FLIGHT), new ConcurrentHashMap<>(), clock.instant(), fleet.begin(jobsPerTarget));
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Settled>> running = new ArrayList<>(messages.size());
            for (int i = 0; i < messages.size(); i++) {
                IncomingMessage message = messages.get(i);
                Envelope.Decoded envelope = decoded.get(i);
                running.add(threads.submit(() -> deliver(message, envelope, batch)));
            }
            List<Settled> settled = new ArrayList<>(messages.size());
            for (int i = 0; i < messages.size(); i++) {
                settled.add(await(running.get(i), messages.get(i)));
            }
            batch.fleet().end();
            return List.copyOf(settled);
        }
    }

    /**
     * What the records of one batch share: one view of the targets, the deadline, the cap on calls and on
     * record writes in flight, a gate per target (this invocation's limits), and the fleet's view of each target.
     */
    private record Batch(Targets targets, Deadline deadline, Instant invocationEnd, Semaphore inFlight, Semaphore recordWrites,
                         Map<String, TargetGate> gates, Instant started, FleetControl.Batch fleet) {
        TargetGate gate(Target target, TargetMemory memory) {
            return gates.computeIfAbsent(target.name(), n -> new TargetGate(target, memory.trusted(n, started)));
        }

        /**
         * A job record call, made once a write slot is free, and waited for no later than {@code slack} after
         * the calls' deadline: a slow store (an outage, a throttle) must not hold the batch past it. A call
         * given up on may still land; the job life table makes that harmless (a claim's lease runs out, a
         * later write finds the record moved on).
         */
        <T> Optional<T> withRecords(Duration slack, Supplier<T> call) {
            long until = System.nanoTime() + deadline.remaining().plus(slack).toNanos();
            try {
                if (!recordWrites.tryAcquire(until - System.nanoTime(), TimeUnit.NANOSECONDS)) {
                    return Optional.empty();
                }
                CompletableFuture<T> result = new CompletableFuture<>();
                Thread.ofVirtual().start(() -> {
                    try {
                        result.complete(call.get());
                    } catch (RuntimeException e) {
                        result.completeExceptionally(e);
                    } finally {
                        recordWrites.release();
                    }
                });
                return Optional.of(result.get(Math.max(0, until - System.nanoTime()), TimeUnit.NANOSECONDS));
            } catch (TimeoutException | ExecutionException e) {
                return Optional.empty();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
    }

    private Settled deliver(IncomingMessage message, Envelope.Decoded envelope, Batch batch) {
        return switch (envelope) {
            case Envelope.Decoded.Unreadable u -> new Unread(message).dropped("unreadable message: " + u.reason());
            case Envelope.Decoded.Readable r -> deliver(message, r.job(), batch);
        };
    }

    /** The ladder: each rung settles the message or lets it on to the next. */
    private Settled deliver(IncomingMessage message, Job job, Batch batch) {
        Delivery d = new Delivery(message, job, JobLife.attempt(job.priorAttempts(), message.receiveCount()), batch);
        if (job.verdict().isPresent()) {
            // its dead letter could not be sent last time: the verdict stands, and it is never called again
            Job.FinalVerdict v = job.verdict().get();
            return d.dropped(v.reason(), v.exhausted() ? Outcome.Cause.EXHAUSTED : Outcome.Cause.REFUSED);
        }
        if (job.dueAt().isAfter(clock.instant())) {
            return d.notDue();
        }
        Optional<Target> target = batch.targets().get(job.request().target());
        if (target.isEmpty()) {
            return d.dropped("target '" + job.request().target() + "' is not configured (any more)", Outcome.Cause.REFUSED);
        }
        Optional<URI> uri = target.get().resolve(job.request().path());
        if (uri.isEmpty()) {
            return d.dropped("the path would leave the target's base URL; refused", Outcome.Cause.REFUSED);
        }
        return switch (authenticator.credentials(target.get())) {
            case Credentials.Unavailable u -> d.deferred(policy.baseDelay(), "could not read the target's secret: " + u.reason());
            case Credentials.Refused r -> d.dropped("the target's credentials are refused: " + r.reason(), Outcome.Cause.REFUSED);
            case Credentials.Ready ready -> callWithinLimits(d, target.get(), new OutgoingRequest(uri.get(), job.request().method(),
                    headers(job, ready), job.request().body(), target.get().httpVersion()), batch);
        };
    }

    private Settled callWithinLimits(Delivery d, Target target, OutgoingRequest request, Batch batch) {
        if (!acquire(batch)) {
            return d.deferred(OUT_OF_TIME_DELAY, "not started: too little time left in this invocation");
        }
        try {
            TargetGate gate = batch.gate(target, memory);
            return switch (gate.enter(batch.deadline(), MINIMUM_CALL)) {
                case TargetGate.Admission.Refused refused -> d.deferred(
                        refused.why() == TargetGate.Refusal.BREAKER_OPEN ? policy.baseDelay() : OUT_OF_TIME_DELAY, refused.reason());
                case TargetGate.Admission.Admitted admitted -> switch (batch.fleet().admit(target, batch.deadline())) {
                    case FleetControl.Decision.Defer defer -> {
                        gate.cancel();
                        yield d.deferred(defer.delay(), defer.reason());
                    }
                    case FleetControl.Decision.Call call -> claimThenCall(d, target, request, gate, batch, call);
                };
            };
        } finally {
            batch.inFlight().release();
        }
    }

    /**
     * Claims the attempt in the job record, then calls. The claim comes after admission so that a record
     * deferred by the gate never holds an attempt it did not make; the record's answer may also settle the
     * message without a call.
     */
    private Settled claimThenCall(Delivery d, Target target, OutgoingRequest request, TargetGate gate, Batch batch,
                                  FleetControl.Decision.Call admitted) {
        boolean calling = false;
        try {
            String token = d.message().messageId() + ":" + d.message().receiveCount();
            Optional<JobStore.Claim> claim = batch.withRecords(MINIMUM_CALL.negated(),
                    () -> store.claim(d.job(), d.attempt(), d.message().redriven(), token, batch.invocationEnd(), policy.maxAttempts()));
            if (claim.isEmpty()) {
                return d.deferred(OUT_OF_TIME_DELAY, "not started: the job records were too busy to claim it in time");
            }
            return switch (claim.get()) {
                // the record stays running until the lease ends; the next claim counts on from it
                case JobStore.Claim.Claimed c when !batch.deadline().allows(MINIMUM_CALL) ->
                        d.deferred(OUT_OF_TIME_DELAY, "not started: the claim left too little time in this invocation");
                case JobStore.Claim.Claimed c -> {
                    calling = true;
                    yield call(d.at(c.attempt()), target, request, gate, batch, admitted);
                }
                case JobStore.Claim.AlreadySucceeded s ->
                        d.skipped("duplicate delivery: the job already succeeded; the provider is not called again");
                case JobStore.Claim.Cancelled c -> d.skipped("the job was cancelled; it is not called");
                case JobStore.Claim.FinalVerdict f -> d.dropped("the job record is already " + f.status().wire() + " after "
                        + f.attempts() + " attempts: " + f.reason(), f.status() == JobStatus.DEAD ? Outcome.Cause.EXHAUSTED : Outcome.Cause.REFUSED);
                case JobStore.Claim.InFlight f -> d.deferred(Duration.between(clock.instant(), f.leaseUntil()),
                        "another delivery of this job may be calling it until " + f.leaseUntil());
                case JobStore.Claim.OutOfAttempts o -> d.dropped("gave up after " + o.attempts() + " attempts"
                        + o.lastError().map(e -> "; last: " + e).orElse("; the last call did not finish"), Outcome.Cause.EXHAUSTED);
                case JobStore.Claim.Unavailable u -> d.deferred(policy.baseDelay(), "job records unavailable: " + u.reason());
            };
        } finally {
            if (!calling) {
                gate.cancel();
                batch.fleet().notCalled(target, admitted);
            }
        }
    }

    private Settled call(Delivery d, Target target, OutgoingRequest request, TargetGate gate, Batch batch,
                         FleetControl.Decision.Call admitted) {
        Verdict verdict = new Verdict.Transient("the consumer failed during the call", Optional.empty(), Optional.empty());
        CallResult result = new CallResult.NoResponse(CallResult.Failure.NETWORK, "the consumer failed during the call", Duration.ZERO);
        boolean sent = true;
        try {
            Deadline deadline = batch.deadline();
            Duration timeout = target.timeout().compareTo(deadline.remaining()) < 0 ? target.timeout() : deadline.remaining();
            // scrubbed before anything reads it: a provider may echo our credentials in its answer
            result = redacted(caller.call(authenticator.signed(target, d.job().id().value(), request, clock.instant()), timeout));
            if (result instanceof CallResult.NotSent notSent) {
                // our own client held it back (no connection slot in time): not the provider's failure, so no breaker
                // count and nothing remembered; a claim written counts on from its attempt at the next receive
                sent = false;
                return d.deferred(OUT_OF_TIME_DELAY, "not sent: " + notSent.detail());
            }
            verdict = afterUnauthorized(target, request, OutcomeRules.classify(result, clock.instant()));
            Outcome outcome = redacted(policy.decide(d.attempt(), verdict));
            logAttempt(d, result, outcome);
            return d.called(outcome, result);
        } finally {
            if (sent) {
                gate.exit(verdict);
                memory.heard(target.name(), verdict, clock.instant());
                batch.fleet().heard(target, admitted, verdict, result);
            } else {
                gate.cancel();
                batch.fleet().notCalled(target, admitted);
            }
        }
    }

    /** A message that could not be read as a job: dead-lettered as it is. */
    private record Unread(IncomingMessage message) {
        Settled dropped(String reason) {
            return new Settled(message, Optional.empty(), 1, new Outcome.Reject(reason, Outcome.Cause.REFUSED, false),
                    Optional.empty(), Optional.empty());
        }
    }

    /**
     * One job's receive, and the ways it can end. Each way builds the {@link Settled} (whose outcome says
     * whether it used an attempt) and writes the job record; no call site counts attempts itself.
     */
    private final class Delivery {
        private final IncomingMessage message;
        private final Job job;
        private final int attempt;
        private final Batch batch;

        Delivery(IncomingMessage message, Job job, int attempt, Batch batch) {
            this.message = message;
            this.job = job;
            this.attempt = attempt;
            this.batch = batch;
        }

        IncomingMessage message() {
            return message;
        }

        Job job() {
            return job;
        }

        int attempt() {
            return attempt;
        }

        /** The same receive at the attempt the job record says this call is. */
        Delivery at(int claimed) {
            return new Delivery(message, job, claimed, batch);
        }

        /** To the dead-letter queue without a call. */
        Settled dropped(String reason, Outcome.Cause cause) {
            return recorded(new Outcome.Reject(reason, cause, false), Optional.empty(), Optional.empty(),
                    cause == Outcome.Cause.REFUSED ? JobLife.Event.DROP : JobLife.Event.EXPIRE, JobStore.Details.NONE);
        }

        /** Back later without a call, unless the job has been put off for longer than the bound already. */
        Settled deferred(Duration delay, String reason) {
            Instant now = clock.instant();
            Instant since = JobLife.deferredSince(job.deferredSince(), message.receiveCount(), now);
            if (JobLife.deferredTooLong(since, now, maxDeferral)) {
                return dropped(JobLife.deferredTooLongReason(since, maxDeferral, reason), Outcome.Cause.EXHAUSTED);
            }
            return notCalled(new Outcome.Deferred(JobLife.deferralWait(delay, since, now, maxDeferral), reason, since));
        }

        /**
         * Not due yet (a schedule or a delay that fired early, or a copy on its way): back at its time without a
         * call. This is no deferral: the MaxDeferralSeconds bound of any later one starts at the due time.
         */
        Settled notDue() {
            Instant due = job.dueAt();
            return notCalled(new Outcome.Deferred(Duration.between(clock.instant(), due), "scheduled for " + due + ": not due yet", due));
        }

        /** Let go without a call: the record proves nothing is left to do, once the job's end is announced. */
        Settled skipped(String reason) {
            return announced(notCalled(new Outcome.Skip(reason)));
        }

        /**
         * A message whose job is over is let go only once the end is announced (its notification job on the queue,
         * its event put); otherwise it comes back soon, without a call, to announce it then.
         */
        private Settled announced(Settled settled) {
            if (!announcements.mayAnnounce(job)) {
                return settled;
            }
            Announcements.Ensured ensured = batch.withRecords(OUTCOME_WRITE_SLACK, () -> announcements.ensure(job.id()))
                    .orElseGet(() -> new Announcements.Ensured.Failed("no time was left in this invocation to announce it"));
            if (!(ensured instanceof Announcements.Ensured.Failed failed)) {
                return settled;
            }
            Settled kept = new Settled(message, Optional.of(job), attempt, new Outcome.Deferred(policy.baseDelay(),
                    "the job is over but its end is not announced yet (" + failed.reason() + ")", clock.instant()),
                    settled.status(), settled.latency());
            logNotAttempted(kept);
            return kept;
        }

        /** After the call: its outcome, written to the record. */
        Settled called(Outcome outcome, CallResult result) {
            JobLife.Event event = switch (outcome) {
                case Outcome.Delivered d -> JobLife.Event.SUCCEED;
                case Outcome.Retry r -> JobLife.Event.RETRY;
                case Outcome.Reject r when r.cause() == Outcome.Cause.REFUSED -> JobLife.Event.REFUSE;
                case Outcome.Reject r -> JobLife.Event.EXHAUST;
                case Outcome.Deferred d -> throw new IllegalStateException("a call's outcome is never a deferral");
                case Outcome.Skip s -> throw new IllegalStateException("a call's outcome is never a skip");
            };
            Optional<Instant> next = outcome instanceof Outcome.Retry r ? Optional.of(clock.instant().plus(r.delay())) : Optional.empty();
            Optional<String> response = switch (result) {
                case CallResult.Responded r -> Optional.of(truncate(r.bodyPrefix()));
                case CallResult.NoResponse n -> Optional.empty();
                case CallResult.NotSent n -> Optional.empty();
            };
            return recorded(outcome, status(result), Optional.of(result.latency()), event, new JobStore.Details(next, response));
        }

        private Settled notCalled(Outcome outcome) {
            Settled settled = new Settled(message, Optional.of(job), attempt, outcome, Optional.empty(), Optional.empty());
            logNotAttempted(settled);
            return settled;
        }

        /**
         * Writes the outcome to the job record first (a dead letter's verdict included: should its send fail,
         * the next receive finds it and dead-letters the job without a call), then settles on what the table said.
         */
        private Settled recorded(Outcome outcome, Optional<Integer> status, Optional<Duration> latency, JobLife.Event event,
                                 JobStore.Details details) {
            Settled settled = new Settled(message, Optional.of(job), attempt, outcome, status, latency);
            int writtenAttempt = outcome.usedAttempt() ? attempt : settled.callsMade();
            JobStore.Write written = batch.withRecords(OUTCOME_WRITE_SLACK,
                            () -> store.record(job, event, writtenAttempt, status, reasonOf(outcome), details))
                    .orElseGet(() -> new JobStore.Write.Unavailable("no time was left in this invocation to write it"));
            Settled result = switch (written) {
                // cancelled while its call was in flight: no retry, no dead letter
                case JobStore.Write.Refused r when r.why() == JobLife.Refusal.CANCELLED && !(outcome instanceof Outcome.Delivered) ->
                        new Settled(message, Optional.of(job), attempt, new Outcome.Skip("the job was cancelled while its call was in flight: "
                                + reason(outcome)), status, latency);
                case JobStore.Write.Refused r when r.why() == JobLife.Refusal.SUCCEEDED && !(outcome instanceof Outcome.Delivered) ->
                        new Settled(message, Optional.of(job), attempt, new Outcome.Skip("the job already succeeded: " + reason(outcome)),
                                status, latency);
                case JobStore.Write.Refused r -> settled;
                case JobStore.Write.Stale st -> settled;
                case JobStore.Write.Done d -> settled;
                case JobStore.Write.Unavailable u -> {
                    log.warn("job record not updated", Map.of("jobId", job.id().value(), "attempt", attempt, "error", u.reason()));
                    yield settled;
                }
            };
            if (!outcome.usedAttempt() || result.outcome() instanceof Outcome.Skip) {
                logNotAttempted(result);
            }
            return endsJob(written, result) ? announced(result) : result;
        }

        /** Whether the record is over now (this write ended it, or found it ended) and this message is let go. */
        private boolean endsJob(JobStore.Write written, Settled result) {
            boolean over = switch (written) {
                // a delivered or dead-lettered outcome is a final status where the write landed
                case JobStore.Write.Done d -> result.outcome() instanceof Outcome.Delivered || result.outcome() instanceof Outcome.Reject;
                case JobStore.Write.Refused r -> r.why() == JobLife.Refusal.SUCCEEDED || r.why() == JobLife.Refusal.CANCELLED
                        || r.why() == JobLife.Refusal.FINAL;
                case JobStore.Write.Stale st -> false;
                case JobStore.Write.Unavailable u -> false;
            };
            return over && !(result.outcome() instanceof Outcome.Retry) && !(result.outcome() instanceof Outcome.Deferred);
        }
    }

    private static Optional<String> reasonOf(Outcome outcome) {
        return switch (outcome) {
            case Outcome.Delivered d -> Optional.empty();
            case Outcome.Retry r -> Optional.of(r.reason());
            case Outcome.Reject r -> Optional.of(r.reason());
            case Outcome.Deferred d -> Optional.of(d.reason());
            case Outcome.Skip s -> Optional.empty();
        };
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

    private void logNotAttempted(Settled settled) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("jobId", settled.job().map(j -> j.id().value()).orElse(""));
        fields.put("target", settled.job().map(j -> j.request().target()).orElse(""));
        fields.put("messageId", settled.message().messageId());
        fields.put("outcome", name(settled.outcome()));
        fields.put("reason", reason(settled.outcome()));
        log.log(settled.outcome() instanceof Outcome.Reject ? JsonLog.Level.WARN : JsonLog.Level.INFO, "not attempted", fields);
    }

    private void logAttempt(Delivery d, CallResult result, Outcome outcome) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("jobId", d.job().id().value());
        fields.put("target", d.job().request().target());
        fields.put("attempt", d.attempt());
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
            Settled settled = new Settled(message, Optional.empty(), message.receiveCount(),
                    new Outcome.Retry(policy.delay(1, Optional.empty()), "consumer error: " + e.getCause()), Optional.empty(), Optional.empty());
            logNotAttempted(settled);
            return settled;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            Settled settled = new Settled(message, Optional.empty(), message.receiveCount(),
                    new Outcome.Deferred(OUT_OF_TIME_DELAY, "interrupted before it finished", clock.instant()), Optional.empty(), Optional.empty());
            logNotAttempted(settled);
            return settled;
        }
    }

    private CallResult redacted(CallResult result) {
        return switch (result) {
            case CallResult.Responded r -> new CallResult.Responded(r.status(), r.retryAfter(), authenticator.redact(r.bodyPrefix()), r.latency(), r.rate());
            case CallResult.NoResponse n -> n;
            case CallResult.NotSent n -> n;
        };
    }

    /** A provider may echo our auth header in its error body: reasons travel to the DLQ, so scrub them. */
    private Outcome redacted(Outcome outcome) {
        return switch (outcome) {
            case Outcome.Delivered d -> d;
            case Outcome.Retry r -> new Outcome.Retry(r.delay(), authenticator.redact(r.reason()));
            case Outcome.Reject r -> new Outcome.Reject(authenticator.redact(r.reason()), r.cause(), r.afterCall());
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
