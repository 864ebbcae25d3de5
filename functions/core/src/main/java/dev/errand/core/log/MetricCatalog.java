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

    SUBMITTED("Submitted", Unit.COUNT, "submit function", "jobs newly queued (a replayed Idempotency-Key is not counted again)"),
    DELIVERED("Delivered", Unit.COUNT, "consumer", "calls answered 2xx"),
    RETRIED("Retried", Unit.COUNT, "consumer", "calls that failed in a retryable way; the job waits for its backoff"),
    DEAD_LETTERED("DeadLettered", Unit.COUNT, "consumer", "jobs sent to the dead-letter queue (refused, or out of attempts)"),
    DEFERRED("Deferred", Unit.COUNT, "consumer", "jobs not called this time: the target's breaker was open, or the invocation was out of time"),
    SKIPPED("Skipped", Unit.COUNT, "consumer", "duplicate deliveries of jobs that had already succeeded, let go without a call"),
    PROVIDER_LATENCY("ProviderLatency", Unit.MILLISECONDS, "consumer", "milliseconds per call, per target (use p50/p99)");

    /** The dimension of every per-target metric: the target's configured name. */
    public static final String TARGET = "Target";

    private final String metricName;
    private final Unit unit;
    private final List<String> dimensions;
    private final String emittedBy;
    private final String meaning;

    MetricCatalog(String metricName, Unit unit, String emittedBy, String meaning) {
        this.metricName = metricName;
        this.unit = unit;
        this.dimensions = List.of(TARGET);
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

    /** The dimension names every data point of this metric carries, in this order. */
    public List<String> dimensions() {
        return dimensions;
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
