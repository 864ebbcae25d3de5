package dev.errand.core.delivery;

import dev.errand.core.log.MetricCatalog;
import dev.errand.core.log.Metrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** What a settled batch did, per target, as metrics: delivered, retried, dead-lettered, deferred, skipped, latency. */
public final class BatchMetrics {

    private BatchMetrics() {}

    /**
     * @param kept the message ids the batch returned to SQS: a rejected message among them did not reach the
     *             dead-letter queue (its send failed), so it is not counted as dead-lettered
     */
    public static void emit(Metrics metrics, List<Settled> batch, Set<String> kept) {
        Map<String, List<Settled>> byTarget = new TreeMap<>();
        batch.forEach(s -> byTarget.computeIfAbsent(s.target(), t -> new ArrayList<>()).add(s));
        byTarget.forEach((target, settled) -> metrics.emit(Map.of(MetricCatalog.TARGET, target), List.of(
                MetricCatalog.DELIVERED.count(count(settled, Outcome.Delivered.class)),
                MetricCatalog.RETRIED.count(count(settled, Outcome.Retry.class)),
                MetricCatalog.DEAD_LETTERED.count(settled.stream()
                        .filter(s -> s.outcome() instanceof Outcome.Reject && !kept.contains(s.message().messageId())).count()),
                MetricCatalog.DEFERRED.count(count(settled, Outcome.Deferred.class)),
                MetricCatalog.SKIPPED.count(count(settled, Outcome.Skip.class)),
                MetricCatalog.PROVIDER_LATENCY.values(settled.stream()
                        .flatMap(s -> s.latency().stream())
                        .map(d -> (double) d.toMillis())
                        .toList()))));
    }

    private static long count(List<Settled> settled, Class<? extends Outcome> kind) {
        return settled.stream().filter(s -> kind.isInstance(s.outcome())).count();
    }
}
