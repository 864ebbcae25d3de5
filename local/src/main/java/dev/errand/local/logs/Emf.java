package dev.errand.local.logs;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads an Embedded Metric Format line as CloudWatch Logs does: each directive's namespace, each of its
 * dimension sets, each metric with its values taken from the line's own fields.
 */
final class Emf {

    /** One metric data point set: what PutMetricData takes. */
    record Datum(String namespace, String name, String unit, Map<String, String> dimensions, List<Double> values, Instant timestamp) {
        Datum {
            dimensions = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(dimensions));
            values = List.copyOf(values);
        }
    }

    private Emf() {}

    static boolean isEmf(Map<String, Object> line) {
        return line.get("_aws") instanceof Map<?, ?> aws && aws.get("CloudWatchMetrics") instanceof List<?>;
    }

    /** The data the line declares; a directive that names a missing field is skipped, as CloudWatch skips it. */
    static List<Datum> data(Map<String, Object> line) {
        if (!(line.get("_aws") instanceof Map<?, ?> aws) || !(aws.get("CloudWatchMetrics") instanceof List<?> directives)) {
            return List.of();
        }
        Instant timestamp = aws.get("Timestamp") instanceof Number n ? Instant.ofEpochMilli(n.longValue()) : Instant.now();
        List<Datum> data = new ArrayList<>();
        for (Object d : directives) {
            if (!(d instanceof Map<?, ?> directive) || !(directive.get("Namespace") instanceof String namespace)) {
                continue;
            }
            List<List<String>> dimensionSets = dimensionSets(directive.get("Dimensions"));
            for (Object m : directive.get("Metrics") instanceof List<?> l ? l : List.of()) {
                if (!(m instanceof Map<?, ?> metric) || !(metric.get("Name") instanceof String name)) {
                    continue;
                }
                String unit = metric.get("Unit") instanceof String u ? u : "None";
                List<Double> values = values(line.get(name));
                for (List<String> keys : dimensionSets) {
                    dimensions(line, keys).filter(x -> !values.isEmpty())
                            .ifPresent(dims -> data.add(new Datum(namespace, name, unit, dims, values, timestamp)));
                }
            }
        }
        return data;
    }

    private static List<List<String>> dimensionSets(Object node) {
        List<List<String>> sets = new ArrayList<>();
        for (Object set : node instanceof List<?> l ? l : List.of()) {
            if (set instanceof List<?> keys) {
                sets.add(keys.stream().map(String::valueOf).toList());
            }
        }
        return sets.isEmpty() ? List.of(List.of()) : sets;
    }

    private static Optional<Map<String, String>> dimensions(Map<String, Object> line, List<String> keys) {
        Map<String, String> dims = new LinkedHashMap<>();
        for (String key : keys) {
            if (!(line.get(key) instanceof String value)) {
                return Optional.empty();
            }
            dims.put(key, value);
        }
        return Optional.of(dims);
    }

    private static List<Double> values(Object node) {
        return switch (node) {
            case Number n -> List.of(n.doubleValue());
            case List<?> list -> list.stream().filter(Number.class::isInstance).map(v -> ((Number) v).doubleValue()).toList();
            case null, default -> List.of();
        };
    }
}
