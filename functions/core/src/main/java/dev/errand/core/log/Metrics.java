package dev.errand.core.log;

import dev.errand.core.json.Json;
import java.io.PrintStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CloudWatch metrics as Embedded Metric Format log lines: CloudWatch Logs turns each line into metrics,
 * with no API call and no extra latency in the function. Namespace {@value #NAMESPACE}.
 */
public final class Metrics {

    public static final String NAMESPACE = "Errand";
    /** EMF takes at most 100 values per metric in one line. */
    public static final int MAX_VALUES_PER_LINE = 100;

    /** The units Errand's metrics use, as EMF spells them. */
    public enum Unit {
        COUNT("Count"), MILLISECONDS("Milliseconds");

        private final String emf;

        Unit(String emf) {
            this.emf = emf;
        }
    }

    /** One metric of a line: a count, or the values observed (latencies). */
    public record Metric(String name, Unit unit, List<Double> values) {
        public Metric {
            values = List.copyOf(values);
        }

        public static Metric count(String name, long count) {
            return new Metric(name, Unit.COUNT, List.of((double) count));
        }
    }

    private final PrintStream out;
    private final Clock clock;

    public Metrics(PrintStream out, Clock clock) {
        this.out = out;
        this.clock = clock;
    }

    /** Writes the metrics under these dimensions, in as many lines as EMF's 100-value limit needs. */
    public void emit(Map<String, String> dimensions, List<Metric> metrics) {
        emit(dimensions, metrics, false);
    }

    /**
     * As {@link #emit(Map, List)}, and each metric also without dimensions: the total across every value of
     * them (all targets), which an alarm can watch without naming each target.
     */
    public void emitWithTotal(Map<String, String> dimensions, List<Metric> metrics) {
        emit(dimensions, metrics, true);
    }

    private void emit(Map<String, String> dimensions, List<Metric> metrics, boolean total) {
        int longest = metrics.stream().mapToInt(m -> m.values().size()).max().orElse(0);
        for (int from = 0; from < Math.max(1, longest); from += MAX_VALUES_PER_LINE) {
            int start = from;
            List<Metric> slice = metrics.stream()
                    .filter(m -> m.values().size() > start)
                    .map(m -> new Metric(m.name(), m.unit(), m.values().subList(start, Math.min(m.values().size(), start + MAX_VALUES_PER_LINE))))
                    .toList();
            if (!slice.isEmpty()) {
                out.println(Json.write(line(dimensions, slice, total)));
            }
        }
    }

    private Map<String, Object> line(Map<String, String> dimensions, List<Metric> metrics, boolean total) {
        List<Map<String, Object>> definitions = new ArrayList<>();
        for (Metric m : metrics) {
            Map<String, Object> definition = new LinkedHashMap<>();
            definition.put("Name", m.name());
            definition.put("Unit", m.unit().emf);
            definitions.add(definition);
        }
        Map<String, Object> directive = new LinkedHashMap<>();
        directive.put("Namespace", NAMESPACE);
        List<String> keys = List.copyOf(dimensions.keySet());
        directive.put("Dimensions", total ? List.of(keys, List.of()) : List.of(keys));
        directive.put("Metrics", definitions);
        Map<String, Object> aws = new LinkedHashMap<>();
        aws.put("Timestamp", clock.millis());
        aws.put("CloudWatchMetrics", List.of(directive));
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("_aws", aws);
        line.putAll(dimensions);
        for (Metric m : metrics) {
            line.put(m.name(), m.values().size() == 1 ? m.values().getFirst() : m.values());
        }
        return line;
    }
}
