package dev.errand.cli.console;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Redrives from the console with the CLI's safety: a dry run first (its plan is what the operator confirms),
 * one run at a time, at the rate the plan names. A run goes on in the console's process whatever the page
 * does: closing it halfway loses nothing, and opening it again shows the run where it is. Stopping the
 * console (Ctrl-C) ends a run at a safe point, as it ends {@code errand dlq redrive}.
 */
final class RedriveDesk {

    /** A dry run older than this is done again before a redrive: the dead letters may have changed meanwhile. */
    static final Duration PLAN_LIFETIME = Duration.ofMinutes(10);
    /** Plans kept at once: the operator's last few dry runs. */
    static final int MAX_PLANS = 20;

    /** A dry run: what it would do, for the operator to confirm. */
    record Plan(String id, Backend.RedriveOrder order, List<Backend.RedriveLine> lines, Backend.RedriveReport report, Instant at) {
        Plan {
            lines = List.copyOf(lines);
        }
    }

    /** A redrive the operator confirmed: its lines so far, and its report once it ended. */
    static final class Run {
        final String id;
        final String planId;
        final Backend.RedriveOrder order;
        final Instant started;
        private final List<Backend.RedriveLine> lines = Collections.synchronizedList(new ArrayList<>());
        private volatile Optional<Backend.RedriveReport> report = Optional.empty();
        private volatile Optional<String> failure = Optional.empty();
        private volatile Thread thread;

        Run(String id, String planId, Backend.RedriveOrder order, Instant started) {
            this.id = id;
            this.planId = planId;
            this.order = order;
            this.started = started;
        }

        List<Backend.RedriveLine> lines() {
            synchronized (lines) {
                return List.copyOf(lines);
            }
        }

        Optional<Backend.RedriveReport> report() {
            return report;
        }

        Optional<String> failure() {
            return failure;
        }

        boolean done() {
            return report.isPresent() || failure.isPresent();
        }
    }

    /** What starting a redrive came to. */
    sealed interface Start {
        record Started(Run run) implements Start {}

        record Refused(String why) implements Start {}
    }

    private final Backend backend;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Plan> plans = new LinkedHashMap<>();
    private Optional<Run> current = Optional.empty();
    /** Held by a dry run while it reads the dead-letter queue. */
    private final ReentrantLock reading = new ReentrantLock();

    RedriveDesk(Backend backend, Clock clock) {
        this.backend = backend;
        this.clock = clock;
    }

    /** What asking for a dry run came to. */
    sealed interface Planned {
        record Ready(Plan plan) implements Planned {}

        record Refused(String why) implements Planned {}
    }

    /**
     * Runs a dry run of the order now; the plan it answers is what a redrive may then carry out. Not while a
     * redrive or another dry run reads the queue: each hides what it holds from the other, and would see less.
     */
    Planned plan(Backend.RedriveOrder order) {
        if (current().filter(r -> !r.done()).isPresent() || !reading.tryLock()) {
            return new Planned.Refused("a redrive or a dry run is reading the dead-letter queue; wait for it to end");
        }
        try {
            List<Backend.RedriveLine> lines = new ArrayList<>();
            Backend.RedriveReport report = backend.redrive(order, true, lines::add);
            Plan plan = new Plan(id(), order, lines, report, clock.instant());
            synchronized (this) {
                plans.put(plan.id(), plan);
                while (plans.size() > MAX_PLANS) {
                    plans.remove(plans.keySet().iterator().next());
                }
            }
            return new Planned.Ready(plan);
        } finally {
            reading.unlock();
        }
    }

    /** Carries out a plan's order, if it is recent and no other redrive runs. */
    synchronized Start start(String planId) {
        if (current.filter(r -> !r.done()).isPresent() || reading.isLocked()) {
            return new Start.Refused("a redrive or a dry run is reading the dead-letter queue; wait for it to end");
        }
        Optional<Plan> plan = Optional.ofNullable(plans.get(planId));
        if (plan.isEmpty()) {
            return new Start.Refused("no dry run with this id: do a dry run first, then confirm what it says");
        }
        if (Duration.between(plan.get().at(), clock.instant()).compareTo(PLAN_LIFETIME) > 0) {
            return new Start.Refused("this dry run is older than " + PLAN_LIFETIME.toMinutes() + " minutes: do it again, the dead letters may have changed");
        }
        plans.remove(planId);
        Run run = new Run(id(), planId, plan.get().order(), clock.instant());
        run.thread = Thread.ofPlatform().name("console-redrive-" + run.id).start(() -> {
            try {
                run.report = Optional.of(backend.redrive(run.order, false, run.lines::add));
            } catch (RuntimeException e) {
                run.failure = Optional.of(String.valueOf(e.getMessage()));
            }
        });
        current = Optional.of(run);
        return new Start.Started(run);
    }

    synchronized Optional<Run> current() {
        return current;
    }

    /** Waits for a running redrive to reach its end (after a stop request, its safe point). */
    void awaitRun(Duration limit) {
        Optional<Thread> thread = current().map(r -> r.thread);
        try {
            if (thread.isPresent()) {
                thread.get().join(limit);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private String id() {
        byte[] bytes = new byte[8];
        random.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
