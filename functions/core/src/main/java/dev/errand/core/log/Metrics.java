package dev.errand.core.log;

import dev.errand.core.json.Json;
import java.io.PrintStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

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

    /** One metric of a line: a count, or the values observed (latencies); made from {@link MetricCatalog}. */
    public record Metric(MetricCatalog definition, List<Double> values) {
        public Metric {
            values = List.copyOf(values);
        }

        public String name() {
            return definition.metricName();
        }

        public Unit unit() {
            return definition.unit();
        }
    }

    private final PrintStream out;
    private final Clock clock;

    public Metrics(PrintStream out, Clock clock) {
        this.out = out;
        this.clock = clock;
    }

    /**
     * Writes the metrics under these dimensions, in as many lines as EMF's 100-value limit needs. Each metric
     * takes exactly the dimensions the catalog gives it: a dashboard or alarm reading it depends on them.
     */
    public void emit(Map<String, String> dimensions, List<Metric> metrics) {
        for (Metric m : metrics) {
            if (!Set.copyOf(m.definition().dimensions()).equals(dimensions.keySet())) {
                throw new IllegalArgumentException(m.name() + " has the dimensions " + m.definition().dimensions()
                        + " in MetricCatalog, not " + dimensions.keySet());
            }
            if (m.definition().scope() != metrics.getFirst().definition().scope()) {
                throw new IllegalArgumentException("metrics of one line share their dimension sets: " + m.name()
                        + " is " + m.definition().scope() + ", " + metrics.getFirst().name() + " " + metrics.getFirst().definition().scope());
            }
        }
        int longest = metrics.stream().mapToInt(m -> m.values().size()).max().orElse(0);
        for (int from = 0; from < Math.max(1, longest); from += MAX_VALUES_PER_LINE) {
            int start = from;
            List<Metric> slice = metrics.stream()
                    .filter(m -> m.values().size() > start)
                    .map(m -> new Metric(m.definition(), m.values().subList(start, Math.min(m.values().size(), start + MAX_VALUES_PER_LINE))))
                    .toList();
            if (!slice.isEmpty()) {
                out.println(Json.write(line(dimensions, slice)));
            }
        }
    }

    private Map<String, Object> line(Map<String, String> dimensions, List<Metric> metrics) {
        List<Map<String, Object>> definitions = new ArrayList<>();
        for (Metric m : metrics) {
            Map<String, Object> definition = new LinkedHashMap<>();
            definition.put("Name", m.name());
            definition.put("Unit", m.unit().emf);
            definitions.add(definition);
        }
        Map<String, Object> directive = new LinkedHashMap<>();
        directive.put("Namespace", NAMESPACE);
        directive.put("Dimensions", metrics.getFirst().definition().dimensionSets());
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
