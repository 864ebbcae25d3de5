package dev.errand.core.log;

import dev.errand.core.log.Metrics.Metric;
import dev.errand.core.log.Metrics.Unit;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Every metric Errand's code emits (namespace {@value Metrics#NAMESPACE}), with its unit and dimensions: the
 * one list the emitters build their metrics from, the template's dashboard and alarms are checked against,
 * and the operator console reads. A metric that is not here cannot be emitted.
 */
public enum MetricCatalog {

    SUBMITTED("Submitted", Unit.COUNT, Scope.PER_TARGET, "submit function",
            "jobs newly queued (a replayed Idempotency-Key is not counted again)"),
    DELIVERED("Delivered", Unit.COUNT, Scope.PER_TARGET_AND_TOTAL, "consumer", "calls answered 2xx"),
    RETRIED("Retried", Unit.COUNT, Scope.PER_TARGET_AND_TOTAL, "consumer",
            "calls that failed in a retryable way; the job waits for its backoff"),
    DEAD_LETTERED("DeadLettered", Unit.COUNT, Scope.PER_TARGET_AND_TOTAL, "consumer",
            "jobs sent to the dead-letter queue (refused, out of attempts, or put off past MaxDeferralSeconds)"),
    DEFERRED("Deferred", Unit.COUNT, Scope.PER_TARGET_AND_TOTAL, "consumer",
            "jobs put off without a call: the target open, paused, held or over its rate limit, its secret or the job records"
                    + " unreadable for now, the invocation out of time, another delivery of the job in flight"),
    SKIPPED("Skipped", Unit.COUNT, Scope.PER_TARGET_AND_TOTAL, "consumer",
            "duplicate deliveries of jobs that had already succeeded (or were cancelled), let go without a call"),
    PROVIDER_LATENCY("ProviderLatency", Unit.MILLISECONDS, Scope.PER_TARGET_AND_TOTAL, "consumer",
            "milliseconds per call, per target (use p50/p99)"),
    TARGET_STATE_UNAVAILABLE("TargetStateUnavailable", Unit.COUNT, Scope.TOTAL, "consumer",
            "invocations that could not reach the TargetState table and protected their targets on their own");

    /** The dimension of every per-target metric: the target's configured name. */
    public static final String TARGET = "Target";

    /** Which dimension sets a metric is emitted with. */
    public enum Scope {
        /** By {@code Target} only. */
        PER_TARGET(List.of(List.of(TARGET))),
        /** By {@code Target}, and also without a dimension: the total an alarm watches without naming targets. */
        PER_TARGET_AND_TOTAL(List.of(List.of(TARGET), List.of())),
        /** Without a dimension only. */
        TOTAL(List.of(List.of()));

        private final List<List<String>> sets;

        Scope(List<List<String>> sets) {
            this.sets = sets;
        }

        public List<List<String>> sets() {
            return sets;
        }
    }

    private final String metricName;
    private final Unit unit;
    private final Scope scope;
    private final String emittedBy;
    private final String meaning;

    MetricCatalog(String metricName, Unit unit, Scope scope, String emittedBy, String meaning) {
        this.metricName = metricName;
        this.unit = unit;
        this.scope = scope;
        this.emittedBy = emittedBy;
        this.meaning = meaning;
    }

    /** The name CloudWatch shows. */
    public String metricName() {
        return metricName;
    }

    public Unit unit() {
        return unit;
    }

    /** The dimension names every data point of this metric carries, in this order (its first dimension set). */
    public List<String> dimensions() {
        return scope.sets().getFirst();
    }

    /** Every dimension set the metric is emitted with: a dashboard or alarm may read it by any one of them. */
    public List<List<String>> dimensionSets() {
        return scope.sets();
    }

    public Scope scope() {
        return scope;
    }

    public String emittedBy() {
        return emittedBy;
    }

    public String meaning() {
        return meaning;
    }

    public Metric count(long count) {
        return new Metric(this, List.of((double) count));
    }

    public Metric values(List<Double> observed) {
        return new Metric(this, observed);
    }

    public static Optional<MetricCatalog> named(String metricName) {
        return Arrays.stream(values()).filter(m -> m.metricName.equals(metricName)).findFirst();
    }
}
