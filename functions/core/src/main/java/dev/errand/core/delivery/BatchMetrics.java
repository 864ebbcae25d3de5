package dev.errand.core.delivery;

import dev.errand.core.log.Metrics.Metric;
import dev.errand.core.log.Metrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a settled batch did, per target and in total, as metrics: delivered, retried, dead-lettered, deferred,
 * skipped, latency. The totals (no dimension) are what the alarms watch.
 */
public final class BatchMetrics {

    private BatchMetrics() {}

    /**
     * @param kept the message ids the batch returned to SQS: a rejected message among them did not reach the
     *             dead-letter queue (its send failed), so it is not counted as dead-lettered
     */
    public static void emit(Metrics metrics, List<Settled> batch, Set<String> kept) {
        Map<String, List<Settled>> byTarget = new TreeMap<>();
        batch.forEach(s -> byTarget.computeIfAbsent(s.target(), t -> new ArrayList<>()).add(s));
        byTarget.forEach((target, settled) -> metrics.emitWithTotal(Map.of("Target", target), List.of(
                Metric.count("Delivered", count(settled, Outcome.Delivered.class)),
                Metric.count("Retried", count(settled, Outcome.Retry.class)),
                Metric.count("DeadLettered", settled.stream()
                        .filter(s -> s.outcome() instanceof Outcome.Reject && !kept.contains(s.message().messageId())).count()),
                Metric.count("Deferred", count(settled, Outcome.Deferred.class)),
                Metric.count("Skipped", count(settled, Outcome.Skip.class)),
                new Metric("ProviderLatency", Metrics.Unit.MILLISECONDS, settled.stream()
                        .flatMap(s -> s.latency().stream())
                        .map(d -> (double) d.toMillis())
                        .toList()))));
    }

    private static long count(List<Settled> settled, Class<? extends Outcome> kind) {
        return settled.stream().filter(s -> kind.isInstance(s.outcome())).count();
    }
}
