package dev.errand.cli.console;

import dev.errand.aws.CloudWatchJson;
import dev.errand.core.log.MetricCatalog;
import dev.errand.core.log.Metrics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The last hour per target, from CloudWatch (namespace Errand, dimension Target, the metrics of
 * {@link MetricCatalog}): on AWS the metrics CloudWatch made from the functions' EMF lines, locally the same
 * metrics the local runtime put into moto. Read at most once per refresh interval, as each read costs
 * GetMetricData requests on AWS (about $0.01 per 1,000 metrics).
 */
public final class MetricsReader {

    /** What the pages call "the last hour": 61 whole minutes, the current one included. */
    static final Duration WINDOW = Duration.ofMinutes(61);
    /** GetMetricData takes at most 500 queries a call. */
    static final int MAX_QUERIES = 500;
    /** The counts and latency statistics each target takes, of its queries. */
    static final int QUERIES_PER_TARGET = 7;

    /** A target's last hour. Latencies in milliseconds; percentiles only where CloudWatch computes them. */
    public record TargetFigures(long delivered, long retried, long deadLettered, long deferred, long calls,
                                Optional<Double> p50, Optional<Double> p99, Optional<Double> average, Optional<Double> maximum) {}

    /** One read: figures per target, when, and what went wrong if anything. */
    public record Figures(Map<String, TargetFigures> byTarget, Instant at, Optional<String> problem, boolean percentiles) {
        public Figures {
            byTarget = Map.copyOf(byTarget);
        }
    }

    private final CloudWatchJson cloudWatch;
    private final Clock clock;
    private final Duration refresh;
    private Optional<Figures> last = Optional.empty();
    private List<String> lastTargets = List.of();
    /** CloudWatch computes p50/p99 from the values; moto does not (it answers 500), and then averages are shown. */
    private boolean percentiles = true;

    public MetricsReader(CloudWatchJson cloudWatch, Clock clock, Duration refresh) {
        this.cloudWatch = cloudWatch;
        this.clock = clock;
        this.refresh = refresh;
    }

    public Duration refresh() {
        return refresh;
    }

    /** The configured targets' figures, and those of any other target CloudWatch has Errand metrics for. */
    public synchronized Figures lastHour(List<String> configured) {
        Instant now = clock.instant();
        if (last.isPresent() && configured.equals(lastTargets) && Duration.between(last.get().at(), now).compareTo(refresh) < 0) {
            return last.get();
        }
        Figures figures = read(configured, now);
        last = Optional.of(figures);
        lastTargets = List.copyOf(configured);
        return figures;
    }

    private Figures read(List<String> configured, Instant now) {
        TreeSet<String> targets = new TreeSet<>(configured);
        List<String> problems = new ArrayList<>();
        switch (cloudWatch.call("ListMetrics", Map.of("Namespace", Metrics.NAMESPACE, "MetricName", MetricCatalog.DELIVERED.metricName()))) {
            case CloudWatchJson.Reply.Ok ok -> targets.addAll(listedTargets(ok.body()));
            case CloudWatchJson.Reply.Failed f -> problems.add("CloudWatch ListMetrics: " + f.type() + ": " + f.message());
        }
        List<String> names = List.copyOf(targets);
        Instant end = now.truncatedTo(ChronoUnit.MINUTES).plus(Duration.ofMinutes(1));
        Instant start = end.minus(WINDOW);
        Map<String, Double> values = new HashMap<>();
        int perCall = MAX_QUERIES / QUERIES_PER_TARGET;
        for (int from = 0; from < names.size(); from += perCall) {
            List<String> chunk = names.subList(from, Math.min(names.size(), from + perCall));
            List<Map<String, Object>> queries = new ArrayList<>();
            for (int i = 0; i < chunk.size(); i++) {
                String target = chunk.get(i);
                int n = from + i;
                queries.add(query("d" + n, MetricCatalog.DELIVERED, target, "Sum"));
                queries.add(query("r" + n, MetricCatalog.RETRIED, target, "Sum"));
                queries.add(query("x" + n, MetricCatalog.DEAD_LETTERED, target, "Sum"));
                queries.add(query("f" + n, MetricCatalog.DEFERRED, target, "Sum"));
                queries.add(query("c" + n, MetricCatalog.PROVIDER_LATENCY, target, "SampleCount"));
                queries.add(query("a" + n, MetricCatalog.PROVIDER_LATENCY, target, "Average"));
                queries.add(query("m" + n, MetricCatalog.PROVIDER_LATENCY, target, "Maximum"));
            }
            fetch(queries, start, end, values, problems);
            if (percentiles) {
                List<Map<String, Object>> tails = new ArrayList<>();
                for (int i = 0; i < chunk.size(); i++) {
                    tails.add(query("p50_" + (from + i), MetricCatalog.PROVIDER_LATENCY, chunk.get(i), "p50"));
                    tails.add(query("p99_" + (from + i), MetricCatalog.PROVIDER_LATENCY, chunk.get(i), "p99"));
                }
                List<String> tailProblems = new ArrayList<>();
                fetch(tails, start, end, values, tailProblems);
                // a CloudWatch that cannot compute percentiles (moto) refuses them all; averages stand in from then on
                percentiles = tailProblems.isEmpty();
            }
        }
        Map<String, TargetFigures> byTarget = new LinkedHashMap<>();
        for (int n = 0; n < names.size(); n++) {
            byTarget.put(names.get(n), new TargetFigures(count(values, "d" + n), count(values, "r" + n), count(values, "x" + n),
                    count(values, "f" + n), count(values, "c" + n), value(values, "p50_" + n), value(values, "p99_" + n),
                    value(values, "a" + n), value(values, "m" + n)));
        }
        return new Figures(byTarget, now, problems.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", problems)), percentiles);
    }

    private void fetch(List<Map<String, Object>> queries, Instant start, Instant end, Map<String, Double> values, List<String> problems) {
        if (queries.isEmpty()) {
            return;
        }
        Map<String, Object> request = Map.of("StartTime", start.getEpochSecond(), "EndTime", end.getEpochSecond(),
                "MetricDataQueries", queries, "ScanBy", "TimestampAscending");
        switch (cloudWatch.call("GetMetricData", request)) {
            case CloudWatchJson.Reply.Ok ok -> {
                for (Object r : ok.body().get("MetricDataResults") instanceof List<?> l ? l : List.of()) {
                    if (r instanceof Map<?, ?> result && result.get("Values") instanceof List<?> found && !found.isEmpty()
                            && found.getFirst() instanceof Number first) {
                        values.put(String.valueOf(result.get("Id")), first.doubleValue());
                    }
                }
            }
            case CloudWatchJson.Reply.Failed f -> problems.add("CloudWatch GetMetricData: " + f.type() + ": " + f.message());
        }
    }

    private static Map<String, Object> query(String id, MetricCatalog metric, String target, String stat) {
        return Map.of("Id", id, "ReturnData", true, "MetricStat", Map.of("Period", (int) WINDOW.toSeconds(), "Stat", stat,
                "Metric", Map.of("Namespace", Metrics.NAMESPACE, "MetricName", metric.metricName(),
                        "Dimensions", List.of(Map.of("Name", MetricCatalog.TARGET, "Value", target)))));
    }

    private static List<String> listedTargets(Map<String, Object> body) {
        List<String> found = new ArrayList<>();
        for (Object m : body.get("Metrics") instanceof List<?> l ? l : List.of()) {
            if (m instanceof Map<?, ?> metric && metric.get("Dimensions") instanceof List<?> dims) {
                for (Object d : dims) {
                    if (d instanceof Map<?, ?> dim && MetricCatalog.TARGET.equals(dim.get("Name")) && dim.get("Value") instanceof String value) {
                        found.add(value);
                    }
                }
            }
        }
        return found;
    }

    private static long count(Map<String, Double> values, String id) {
        return Math.round(values.getOrDefault(id, 0.0));
    }

    private static Optional<Double> value(Map<String, Double> values, String id) {
        return Optional.ofNullable(values.get(id));
    }
}
