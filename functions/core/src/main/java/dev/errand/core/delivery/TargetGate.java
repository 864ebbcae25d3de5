package dev.errand.core.delivery;

import dev.errand.core.target.Target;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One target's limits within one invocation: at most {@code maxConcurrency} calls in flight, and a circuit
 * breaker that opens after {@code breakerThreshold} retryable failures in a row. Until the target has
 * answered well, calls in flight count against the threshold too, so a target that is down from the
 * start is called at most {@code breakerThreshold} times however many of its jobs the batch holds. A gate
 * opened {@code trusted} (the target answered well just before, see {@link TargetMemory}) skips that probe.
 */
final class TargetGate {

    /** Why a record was not let through. */
    enum Refusal { BREAKER_OPEN, OUT_OF_TIME }

    /** The answer to a request to call the target. */
    sealed interface Admission {
        record Admitted() implements Admission {}

        record Refused(Refusal why, String reason) implements Admission {}
    }

    private final Target target;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private int inFlight;
    private int consecutiveFailures;
    private boolean lastCallSucceeded;

    TargetGate(Target target, boolean trusted) {
        this.target = target;
        this.lastCallSucceeded = trusted;
    }

    /** Waits, until {@code deadline} leaves less than {@code minimumCall}, for leave to call the target. */
    Admission enter(Deadline deadline, Duration minimumCall) {
        lock.lock();
        try {
            while (true) {
                if (consecutiveFailures >= target.breakerThreshold()) {
                    return new Admission.Refused(Refusal.BREAKER_OPEN, "circuit open: " + consecutiveFailures
                            + " retryable failures in a row from target '" + target.name() + "' in this invocation");
                }
                long waitNanos = deadline.remaining().minus(minimumCall).toNanos();
                if (waitNanos <= 0) {
                    return new Admission.Refused(Refusal.OUT_OF_TIME, "not started: too little time left in this invocation");
                }
                if (inFlight < target.maxConcurrency()
                        && (lastCallSucceeded || consecutiveFailures + inFlight < target.breakerThreshold())) {
                    inFlight++;
                    return new Admission.Admitted();
                }
                changed.await(waitNanos, TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Admission.Refused(Refusal.OUT_OF_TIME, "not started: the invocation is ending");
        } finally {
            lock.unlock();
        }
    }

    /** Records how an admitted call went and lets waiting records re-check. */
    void exit(Verdict verdict) {
        lock.lock();
        try {
            inFlight--;
            switch (verdict) {
                // a permanent answer still proves the provider is up and answering
                case Verdict.Success s -> healthy();
                case Verdict.Permanent p -> healthy();
                case Verdict.Transient t -> {
                    consecutiveFailures++;
                    lastCallSucceeded = false;
                }
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Releases an admission whose call never happened (its secret could not be read, say). */
    void cancel() {
        lock.lock();
        try {
            inFlight--;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void healthy() {
        consecutiveFailures = 0;
        lastCallSucceeded = true;
    }
}
