package dev.errand.core.fleet;

import dev.errand.core.delivery.CallResult;
import dev.errand.core.delivery.Deadline;
import dev.errand.core.delivery.Verdict;
import dev.errand.core.log.JsonLog;
import dev.errand.core.log.MetricCatalog;
import dev.errand.core.log.Metrics;
import dev.errand.core.target.RateLimit;
import dev.errand.core.target.Target;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.DoubleSupplier;

/**
 * Fleet-wide protection of each target, as one warm container applies it: the breaker, the probe, the
 * rate limit, an operator's pause and a provider's hold are read from {@link TargetStates} (one read per
 * batch, copies trusted for a second), and only a transition is written, conditionally. When the store
 * cannot be reached the batch falls back to per-invocation protection (the consumer's own breaker), says so
 * once and counts it, and keeps delivering.
 */
public final class FleetControl {

    /** A copy of a target's state older than this is read again before it decides a call. */
    public static final Duration FRESH_FOR = Duration.ofSeconds(1);
    /** A job waits in the invocation at most this long for a token before it is re-sent for later: a wait is cheaper than a re-send, a long one is not. */
    public static final Duration LONGEST_TOKEN_WAIT = Duration.ofSeconds(2);
    /** An invocation out of tokens waits for a block of up to this long's worth at the rate: about four writes a second per invocation, not one per call. */
    public static final Duration BLOCK_OF = Duration.ofMillis(250);
    /** The probe lease outlasts the probe call by this much, for its answer to be written; a holder that died frees it by then. */
    public static final Duration PROBE_LEASE_MARGIN = Duration.ofSeconds(2);
    /** Jobs put off by an open breaker come back spread over its whole interval after the probe time: once an interval. */
    static final double OPEN_SPREAD = 1.0;
    /** A spread is never less: SQS delays are whole seconds. */
    static final Duration LEAST_SPREAD = Duration.ofSeconds(1);
    /** A paused target's jobs are looked at again after a quarter of the pause so far, within these bounds. */
    static final Duration PAUSE_RECHECK_MIN = Duration.ofSeconds(10);
    static final Duration PAUSE_RECHECK_MAX = Duration.ofMinutes(15);
    /** A job is never started with less than this left of the calls' time (as the consumer's own limit). */
    static final Duration LEAST_CALL = Duration.ofSeconds(1);

    private final TargetStates store;
    private final Clock clock;
    private final DoubleSupplier random;
    private final JsonLog log;
    private final Metrics metrics;
    /** What this warm container knows of each target, kept across invocations. */
    private final Map<String, Local> locals = new ConcurrentHashMap<>();

    public FleetControl(TargetStates store, Clock clock, DoubleSupplier random, JsonLog log, Metrics metrics) {
        this.store = store;
        this.clock = clock;
        this.random = random;
        this.log = log;
        this.metrics = metrics;
    }

    /** Per-invocation protection only, as before fleet-wide control (no table configured): nothing to log or count. */
    public static FleetControl perInvocation(Clock clock) {
        java.io.PrintStream nowhere = new java.io.PrintStream(java.io.OutputStream.nullOutputStream());
        return new FleetControl(TargetStates.NONE, clock, () -> 0.5, new JsonLog(nowhere, clock), new Metrics(nowhere, clock));
    }

    /** What the fleet lets one job do now. */
    public sealed interface Decision {
        /** Call; {@code probe} when this call is the fleet's one probe of an open target. */
        record Call(boolean probe) implements Decision {}

        /** Put the job off for {@code delay}, without a call. */
        record Defer(Duration delay, String reason) implements Decision {}
    }

    /**
     * Starts a batch whose jobs are for these targets (with how many each): one read of the states this
     * container holds no copy under a second old of.
     */
    public Batch begin(Map<String, Integer> jobsPerTarget) {
        Batch batch = new Batch(UUID.randomUUID().toString(), new ConcurrentHashMap<>(jobsPerTarget));
        if (!store.enabled()) {
            batch.fallenBack.set(true);
            return batch;
        }
        Instant now = clock.instant();
        Set<String> stale = jobsPerTarget.keySet().stream().filter(t -> local(t).staleAt(now)).collect(java.util.stream.Collectors.toSet());
        if (!stale.isEmpty()) {
            switch (store.read(stale)) {
                case TargetStates.Read.Found f -> stale.forEach(t -> local(t).update(f.states().getOrDefault(t, TargetState.fresh(t)), now));
                case TargetStates.Read.Unavailable u -> batch.fallBack(u.reason());
            }
        }
        return batch;
    }

    private Local local(String target) {
        return locals.computeIfAbsent(target, t -> new Local(TargetState.fresh(t)));
    }

    /** One invocation's view: its probe holder id, the jobs left per target, and whether it fell back. */
    public final class Batch {
        private final String holder;
        private final Map<String, Integer> left;
        private final AtomicBoolean fallenBack = new AtomicBoolean();

        private Batch(String holder, Map<String, Integer> left) {
            this.holder = holder;
            this.left = left;
        }

        /**
         * The batch is over: tokens it took for jobs that were not called after all go back to the fleet's
         * bucket, so none is held past the batch (and used in a clump later).
         */
        public void end() {
            if (fellBack()) {
                return;
            }
            left.keySet().forEach(target -> Optional.ofNullable(locals.get(target)).ifPresent(local -> {
                Local.Unused unused = local.unused();
                int back = TargetState.Bucket.returnable(unused.tokens(), unused.rate(), unused.leftAt(), clock.instant());
                if (back > 0) {
                    store.returnTokens(target, unused.rate(), back);
                }
            }));
        }

        /** Whether this batch protects its targets on its own, the fleet's state out of reach. */
        public boolean fellBack() {
            return fallenBack.get();
        }

        private void fallBack(String reason) {
            if (fallenBack.compareAndSet(false, true) && store.enabled()) {
                log.warn("target state unavailable: this invocation protects its targets on its own",
                        Map.of("error", reason));
                metrics.emit(Map.of(), List.of(MetricCatalog.TARGET_STATE_UNAVAILABLE.count(1)));
            }
        }

        /** The fleet's decision for one job of {@code target}, made before the consumer's own limits. */
        public Decision admit(Target target, Deadline deadline) {
            left.merge(target.name(), -1, Integer::sum);
            if (fellBack()) {
                return onItsOwn(target);
            }
            Local local = local(target.name());
            Optional<TargetState> state = current(local, target.name());
            if (state.isEmpty()) {
                return onItsOwn(target);
            }
            Instant now = clock.instant();
            return switch (state.get().admission(now)) {
                case TargetState.Admission.Wait w -> new Decision.Defer(delay(w, state.get(), now), w.reason());
                case TargetState.Admission.ProbeDue p -> probe(local, target, deadline);
                case TargetState.Admission.Closed c -> withinRate(local, target, deadline);
            };
        }

        /** Without the fleet's state: the consumer's own breaker, and the rate limit kept by this container alone. */
        private Decision onItsOwn(Target target) {
            if (target.rateLimit().isEmpty() || local(target.name()).ownToken(target.rateLimit().get(), clock.instant())) {
                return new Decision.Call(false);
            }
            return overTheRate(local(target.name()), target, target.rateLimit().get());
        }

        /** How a call went: counted, reset, the probe's answer, or a hold the provider asked for. */
        public void heard(Target target, Decision.Call call, Verdict verdict, CallResult result) {
            if (fellBack()) {
                return;
            }
            Local local = local(target.name());
            Instant now = clock.instant();
            ProviderSignals.hold(result, now).ifPresent(h -> hold(local, target, h));
            if (call.probe()) {
                probed(local, target, healthy(verdict), now);
                return;
            }
            switch (verdict) {
                case Verdict.Transient t when t.status().equals(Optional.of(429)) -> { }
                case Verdict.Transient t -> failed(local, target, now);
                case Verdict.Success s -> answered(local, target);
                case Verdict.Permanent p -> answered(local, target);
            }
        }

        /** The job admitted was not called after all (its record said so): a probe won for it is given back. */
        public void notCalled(Target target, Decision.Call call) {
            if (call.probe() && !fellBack()) {
                Local local = local(target.name());
                store.releaseProbe(target.name(), holder);
                local.probeOver(local.state().probing(new TargetState.Lease(holder, clock.instant())));
            }
        }

        private Optional<TargetState> current(Local local, String target) {
            Instant now = clock.instant();
            if (!local.staleAt(now)) {
                return Optional.of(local.state());
            }
            return switch (store.read(Set.of(target))) {
                case TargetStates.Read.Found f -> {
                    TargetState s = f.states().getOrDefault(target, TargetState.fresh(target));
                    local.update(s, now);
                    yield Optional.of(s);
                }
                case TargetStates.Read.Unavailable u -> {
                    fallBack(u.reason());
                    yield Optional.empty();
                }
            };
        }

        /** The probe: one invocation in the fleet wins its lease; a job of this container waits for this container's probe. */
        private Decision probe(Local local, Target target, Deadline deadline) {
            Optional<Boolean> ours = local.awaitProbe(deadline.remaining().minus(LEAST_CALL));
            if (ours.isPresent()) {
                return ours.get() ? withinRate(local, target, deadline) : admitAgain(local, target);
            }
            Instant now = clock.instant();
            Instant leaseUntil = now.plus(target.timeout()).plus(PROBE_LEASE_MARGIN);
            return switch (store.takeProbe(target.name(), holder, leaseUntil)) {
                case TargetStates.Race.Won w -> {
                    local.probeStarted(w.now(), now);
                    yield new Decision.Call(true);
                }
                case TargetStates.Race.Lost l -> {
                    local.update(l.now(), now);
                    yield admitAgain(local, target);
                }
                case TargetStates.Race.Unavailable u -> {
                    fallBack(u.reason());
                    yield new Decision.Call(false);
                }
            };
        }

        /** After a probe elsewhere or here: what the new state says, a probe due again only waits. */
        private Decision admitAgain(Local local, Target target) {
            Instant now = clock.instant();
            TargetState state = local.state();
            return switch (state.admission(now)) {
                case TargetState.Admission.Wait w -> new Decision.Defer(delay(w, state, now), w.reason());
                case TargetState.Admission.ProbeDue p -> new Decision.Defer(LEAST_SPREAD,
                        "circuit half-open for target '" + target.name() + "': its probe is being decided");
                case TargetState.Admission.Closed c -> new Decision.Call(false);
            };
        }

        private void probed(Local local, Target target, boolean healthy, Instant now) {
            TargetState was = local.state();
            Duration interval = TargetState.nextInterval(was.interval(), random.getAsDouble());
            store.probed(target.name(), holder, healthy, now.plus(interval), interval);
            local.probeOver(healthy ? was.closed() : was.opened(now.plus(interval), interval));
            log.log(healthy ? JsonLog.Level.INFO : JsonLog.Level.WARN, healthy ? "circuit closed" : "circuit still open",
                    Map.of("target", target.name(), "nextProbeAt", healthy ? "" : now.plus(interval).toString()));
        }

        private void failed(Local local, Target target, Instant now) {
            switch (store.countFailure(target.name())) {
                case TargetStates.Counted.Count c -> {
                    local.update(local.state().withFailures(c.failures()), now);
                    if (c.failures() >= target.breakerThreshold() && !local.state().open()) {
                        Duration interval = TargetState.nextInterval(Duration.ZERO, random.getAsDouble());
                        switch (store.open(target.name(), now.plus(interval), interval)) {
                            case TargetStates.Race.Won w -> {
                                local.update(w.now(), now);
                                log.warn("circuit opened", Map.of("target", target.name(), "failures", c.failures(),
                                        "nextProbeAt", now.plus(interval).toString()));
                            }
                            case TargetStates.Race.Lost l -> local.update(l.now(), now);
                            case TargetStates.Race.Unavailable u -> fallBack(u.reason());
                        }
                    }
                }
                case TargetStates.Counted.Unavailable u -> fallBack(u.reason());
            }
        }

        private void answered(Local local, Target target) {
            if (local.state().failures() > 0 && local.resetting()) {
                store.resetFailures(target.name());
                local.update(local.state().withFailures(0), clock.instant());
            }
        }

        private void hold(Local local, Target target, TargetState.Hold hold) {
            store.hold(target.name(), hold.until(), hold.reason());
            local.update(local.state().held(hold), clock.instant());
            log.warn("target held", Map.of("target", target.name(), "until", hold.until().toString(), "reason", hold.reason()));
        }

        /**
         * A closed target with a rate limit: a token this container holds, or a block of them taken from the
         * fleet's bucket (as many as this batch still has jobs for the target, at most the burst), waiting a
         * moment for the next when none is left; else the job is put off until tokens are due.
         */
        private Decision withinRate(Local local, Target target, Deadline deadline) {
            if (target.rateLimit().isEmpty()) {
                return new Decision.Call(false);
            }
            RateLimit rate = target.rateLimit().get();
            Duration waitFor = deadline.remaining().minus(LEAST_CALL);
            long until = System.nanoTime() + (waitFor.compareTo(LONGEST_TOKEN_WAIT) < 0 ? waitFor : LONGEST_TOKEN_WAIT).toNanos();
            while (true) {
                switch (local.take(until)) {
                    case Local.Take.Got g -> {
                        return new Decision.Call(false);
                    }
                    case Local.Take.Wait w -> {
                        return overTheRate(local, target, rate);
                    }
                    case Local.Take.Lease l -> {
                        // a block: what this batch still needs of the target (jobs to come, jobs waiting here, this one) and can call at once
                        int needed = left.getOrDefault(target.name(), 0) + local.waiting() + 1;
                        int wanted = Math.clamp(needed, 1, Math.min(rate.tokensAtOnce(), target.maxConcurrency()));
                        Instant now = clock.instant();
                        int block = Math.clamp((long) Math.floor(rate.perSecond() * BLOCK_OF.toNanos() / 1e9), 1, wanted);
                        Duration due = local.state().bucket().orElse(TargetState.Bucket.full(now)).untilTokens(block, rate, now);
                        if (System.nanoTime() + due.toNanos() > until) {
                            local.leased(0, local.state().bucket().orElse(TargetState.Bucket.full(now)), now, rate);
                            return overTheRate(local, target, rate);
                        }
                        local.sleepFor(due);
                        now = clock.instant();
                        switch (store.takeTokens(target.name(), rate, wanted, local.state().bucket(), now)) {
                            case TargetStates.Tokens.Granted g -> local.leased(g.granted(), g.left(), now, rate);
                            case TargetStates.Tokens.Unavailable u -> {
                                local.leased(0, local.state().bucket().orElse(TargetState.Bucket.full(now)), now, rate);
                                fallBack(u.reason());
                                return local.ownToken(rate, clock.instant())
                                        ? new Decision.Call(false) : overTheRate(local, target, rate);
                            }
                        }
                    }
                }
            }
        }

        /** Out of tokens for longer than a job may wait in the invocation: put off until they are due, spread over a burst's worth. */
        private Decision overTheRate(Local local, Target target, RateLimit rate) {
            Instant now = clock.instant();
            Duration due = local.state().bucket().map(b -> b.untilTokens(1, rate, now)).orElse(Duration.ZERO);
            Duration burst = Duration.ofMillis((long) (rate.burst() / rate.perSecond() * 1000));
            return new Decision.Defer(due.plus(spread(burst)), "over the rate limit of target '" + target.name() + "' ("
                    + rate.perSecond() + "/s, burst " + rate.burst() + "): put off until its tokens are due");
        }

        /** How long a job waits: until the state's time, then spread so a backlog does not come back at once. */
        private Duration delay(TargetState.Admission.Wait wait, TargetState state, Instant now) {
            return switch (wait.why()) {
                case PAUSED -> {
                    Duration paused = state.pause().map(p -> Duration.between(p.at(), now)).orElse(Duration.ZERO);
                    Duration recheck = clamp(paused.dividedBy(4), PAUSE_RECHECK_MIN, PAUSE_RECHECK_MAX);
                    Duration left = wait.until().map(u -> Duration.between(now, u)).orElse(recheck);
                    yield (left.compareTo(recheck) < 0 ? left : recheck).plus(spread(LEAST_SPREAD));
                }
                case HELD -> until(wait, now).plus(spread(until(wait, now).dividedBy(5)));
                case OPEN -> until(wait, now).plus(spread(Duration.ofMillis((long) (state.interval().toMillis() * OPEN_SPREAD))));
                case PROBING -> until(wait, now).plus(spread(LEAST_SPREAD));
            };
        }

        private Duration until(TargetState.Admission.Wait wait, Instant now) {
            Duration d = wait.until().map(u -> Duration.between(now, u)).orElse(Duration.ZERO);
            return d.isNegative() ? Duration.ZERO : d;
        }

        private Duration spread(Duration over) {
            Duration width = over.compareTo(LEAST_SPREAD) < 0 ? LEAST_SPREAD : over;
            return Duration.ofMillis((long) (width.toMillis() * Math.clamp(random.getAsDouble(), 0.0, 1.0)));
        }
    }

    private static boolean healthy(Verdict verdict) {
        return !(verdict instanceof Verdict.Transient);
    }

    private static Duration clamp(Duration d, Duration min, Duration max) {
        return d.compareTo(min) < 0 ? min : d.compareTo(max) > 0 ? max : d;
    }

    /** One target as this container knows it: the state last read or written, tokens in hand, a probe in flight here. */
    static final class Local {
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition changed = lock.newCondition();
        private TargetState state;
        private Instant readAt = Instant.EPOCH;
        private int tokens;
        /** The rate the tokens in hand were taken at (a target's rate may change with its document). */
        private RateLimit rate = new RateLimit(1, 1);
        /** The fleet's bucket as this container's last take left it: the tokens in hand are the slots just before. */
        private Instant leftAt = Instant.EPOCH;
        private boolean leasing;
        /** Jobs of this container waiting in {@link #take} for a token. */
        private int waiting;
        private boolean probing;
        private boolean lastProbeHealthy;
        private final AtomicInteger resets = new AtomicInteger();
        /** This container's own bucket, for when the fleet's cannot be reached. */
        private Optional<TargetState.Bucket> own = Optional.empty();

        Local(TargetState state) {
            this.state = state;
        }

        /** What {@link #take} found: a token, the duty to lease more, or nothing for now. */
        sealed interface Take {
            record Got() implements Take {}

            record Lease() implements Take {}

            record Wait() implements Take {}
        }

        TargetState state() {
            lock.lock();
            try {
                return state;
            } finally {
                lock.unlock();
            }
        }

        boolean staleAt(Instant now) {
            lock.lock();
            try {
                return !now.isBefore(readAt.plus(FRESH_FOR));
            } finally {
                lock.unlock();
            }
        }

        void update(TargetState s, Instant at) {
            lock.lock();
            try {
                state = s;
                readAt = at;
                if (s.failures() > 0) {
                    resets.set(0);
                }
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        /** Whether this thread should write the failures' reset (one per run of failures in this container). */
        boolean resetting() {
            return resets.getAndIncrement() == 0;
        }

        void probeStarted(TargetState s, Instant at) {
            lock.lock();
            try {
                state = s;
                readAt = at;
                probing = true;
            } finally {
                lock.unlock();
            }
        }

        void probeOver(TargetState s) {
            lock.lock();
            try {
                state = s;
                lastProbeHealthy = !s.open();
                probing = false;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        /** While this container's probe of the target is in flight, waits for its answer: healthy or not; empty when none is. */
        Optional<Boolean> awaitProbe(Duration atMost) {
            lock.lock();
            try {
                if (!probing) {
                    return Optional.empty();
                }
                long nanos = atMost.toNanos();
                while (probing && nanos > 0) {
                    nanos = changed.awaitNanos(nanos);
                }
                return Optional.of(!probing && lastProbeHealthy);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.of(false);
            } finally {
                lock.unlock();
            }
        }

        int waiting() {
            lock.lock();
            try {
                return waiting;
            } finally {
                lock.unlock();
            }
        }

        Take take(long untilNanos) {
            lock.lock();
            waiting++;
            try {
                while (true) {
                    if (tokens > 0) {
                        tokens--;
                        return new Take.Got();
                    }
                    if (!leasing) {
                        leasing = true;
                        return new Take.Lease();
                    }
                    long nanos = untilNanos - System.nanoTime();
                    if (nanos <= 0) {
                        return new Take.Wait();
                    }
                    changed.awaitNanos(nanos);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Take.Wait();
            } finally {
                waiting--;
                lock.unlock();
            }
        }

        void leased(int granted, TargetState.Bucket left, Instant at, RateLimit takenAt) {
            lock.lock();
            try {
                tokens += granted;
                rate = takenAt;
                if (granted > 0) {
                    leftAt = left.tat();
                }
                leasing = false;
                state = state.withBucket(left);
                readAt = at;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        /** Tokens taken at {@code rate} and not used; {@code leftAt}, the bucket as their take left it. */
        record Unused(int tokens, RateLimit rate, Instant leftAt) {}

        /** The tokens taken and not used, given up: none is held past its batch. */
        Unused unused() {
            lock.lock();
            try {
                Unused u = new Unused(tokens, rate, leftAt);
                tokens = 0;
                return u;
            } finally {
                lock.unlock();
            }
        }

        /** A token from this container's own bucket, refilled to now: the rate limit when the fleet's state is out of reach. */
        boolean ownToken(RateLimit rate, Instant now) {
            lock.lock();
            try {
                TargetState.Bucket b = own.orElse(TargetState.Bucket.full(now));
                boolean got = b.available(rate, now) >= 1;
                own = Optional.of(got ? b.taken(1, rate, now) : b);
                if (!got) {
                    state = state.withBucket(b);
                }
                return got;
            } finally {
                lock.unlock();
            }
        }

        void sleepFor(Duration d) {
            try {
                Thread.sleep(d.isNegative() ? Duration.ZERO : d.plusMillis(1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
