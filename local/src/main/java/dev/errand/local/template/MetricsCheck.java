package dev.errand.local.template;

import dev.errand.core.json.Json;
import dev.errand.core.log.MetricCatalog;
import dev.errand.core.log.Metrics;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every metric of namespace Errand that the template's alarms and dashboards name must be one the code emits
 * ({@link MetricCatalog}), with the same dimensions: CloudWatch shows an empty graph, and an alarm on a
 * metric nobody writes never fires, without an error anywhere.
 */
final class MetricsCheck {

    /** {@code SEARCH('{Namespace,Dim1,Dim2} MetricName="X"', 'Sum', 60)}: the search text and, in it, the schema. */
    private static final Pattern SEARCH = Pattern.compile("SEARCH\\(\\s*'((?:[^'\\\\]|\\\\.)*)'");
    private static final Pattern SCHEMA = Pattern.compile("\\{([^}]*)}");
    private static final Pattern METRIC_NAME = Pattern.compile("MetricName\\s*=\\s*(?:\"([^\"]*)\"|([A-Za-z0-9_.-]+))");

    /** One metric a resource names: where, the metric, and the dimension names it reads. */
    record Use(String where, String namespace, String metricName, List<String> dimensions) {
        Use {
            dimensions = List.copyOf(dimensions);
        }
    }

    private MetricsCheck() {}

    static void check(Template template, Intrinsics intrinsics, List<String> problems) {
        List<Use> uses = new ArrayList<>();
        template.resources("AWS::CloudWatch::Alarm").keySet().forEach(id -> alarm(id, Template.asMap(intrinsics.resolve(template.properties(id))), uses, problems));
        for (String id : template.resources("AWS::CloudWatch::Dashboard").keySet()) {
            String body = intrinsics.text(template.properties(id).get("DashboardBody"));
            switch (Json.parse(body)) {
                case Json.Parsed.Malformed m -> problems.add(id + " DashboardBody is not JSON: " + m.detail());
                case Json.Parsed.Value v -> dashboard(id, v.value(), uses, problems);
            }
        }
        uses.stream().filter(u -> u.namespace().equals(Metrics.NAMESPACE)).forEach(u -> problems.addAll(judge(u)));
    }

    private static List<String> judge(Use use) {
        Optional<MetricCatalog> emitted = MetricCatalog.named(use.metricName());
        if (emitted.isEmpty()) {
            return List.of(use.where() + " names " + Metrics.NAMESPACE + " metric " + use.metricName() + ", which the code does not emit"
                    + " (MetricCatalog: " + String.join(", ", Arrays.stream(MetricCatalog.values()).map(MetricCatalog::metricName).toList()) + ")");
        }
        if (!emitted.get().dimensionSets().contains(use.dimensions())) {
            return List.of(use.where() + " reads " + use.metricName() + " by the dimensions " + use.dimensions()
                    + "; the code emits it with " + emitted.get().dimensionSets());
        }
        return List.of();
    }

    private static void alarm(String id, Map<String, Object> properties, List<Use> uses, List<String> problems) {
        if (properties.containsKey("MetricName")) {
            uses.add(new Use(id, text(properties.get("Namespace")), text(properties.get("MetricName")), names(properties.get("Dimensions"))));
        }
        if (properties.get("Metrics") instanceof List<?> queries) {
            for (Object q : queries) {
                Map<String, Object> query = Template.asMap(q);
                Map<String, Object> metric = Template.asMap(Template.asMap(query.get("MetricStat")).get("Metric"));
                if (!metric.isEmpty()) {
                    uses.add(new Use(id + " " + text(query.get("Id")), text(metric.get("Namespace")), text(metric.get("MetricName")),
                            names(metric.get("Dimensions"))));
                }
                Optional.ofNullable(query.get("Expression")).map(MetricsCheck::text).ifPresent(e -> searches(id, e, uses, problems));
            }
        }
    }

    private static void dashboard(String id, Object body, List<Use> uses, List<String> problems) {
        if (!(Template.asMap(body).get("widgets") instanceof List<?> widgets)) {
            problems.add(id + " DashboardBody has no widgets");
            return;
        }
        for (Object w : widgets) {
            Map<String, Object> properties = Template.asMap(Template.asMap(w).get("properties"));
            String where = id + " widget \"" + text(properties.getOrDefault("title", "untitled")) + "\"";
            List<Object> previous = List.of();
            for (Object entry : properties.get("metrics") instanceof List<?> l ? l : List.of()) {
                switch (entry) {
                    case List<?> array -> {
                        List<Object> filled = repeated(array, previous);
                        previous = filled;
                        uses.add(metricArray(where, filled));
                    }
                    case Map<?, ?> map when map.containsKey("expression") -> searches(where, text(map.get("expression")), uses, problems);
                    default -> problems.add(where + " has a metrics entry that is neither an array nor an expression: " + entry);
                }
            }
        }
    }

    /** In a dashboard metric array "." repeats the previous entry's element at that position. */
    private static List<Object> repeated(List<?> array, List<Object> previous) {
        List<Object> filled = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            filled.add(".".equals(array.get(i)) && i < previous.size() ? previous.get(i) : array.get(i));
        }
        return filled;
    }

    /** {@code [namespace, name, dimName, dimValue, ..., {options}]}. */
    private static Use metricArray(String where, List<Object> array) {
        List<Object> plain = array.stream().filter(e -> !(e instanceof Map<?, ?>)).toList();
        List<String> dimensions = new ArrayList<>();
        for (int i = 2; i + 1 < plain.size(); i += 2) {
            dimensions.add(text(plain.get(i)));
        }
        return new Use(where, plain.isEmpty() ? "" : text(plain.get(0)), plain.size() < 2 ? "" : text(plain.get(1)), dimensions);
    }

    private static void searches(String where, String expression, List<Use> uses, List<String> problems) {
        Matcher search = SEARCH.matcher(expression);
        while (search.find()) {
            String text = search.group(1).replace("\\\"", "\"");
            Matcher schema = SCHEMA.matcher(text);
            if (!schema.find()) {
                continue;
            }
            List<String> parts = Arrays.stream(schema.group(1).split(",")).map(p -> p.strip().replace("\"", "")).toList();
            Matcher name = METRIC_NAME.matcher(text);
            if (!name.find()) {
                if (parts.getFirst().equals(Metrics.NAMESPACE)) {
                    problems.add(where + " searches " + Metrics.NAMESPACE + " without a MetricName: it would graph every metric the code emits");
                }
                continue;
            }
            uses.add(new Use(where, parts.getFirst(), Optional.ofNullable(name.group(1)).orElse(name.group(2)), parts.subList(1, parts.size())));
        }
    }

    private static List<String> names(Object dimensions) {
        return dimensions instanceof List<?> list ? list.stream().map(d -> text(Template.asMap(d).get("Name"))).toList() : List.of();
    }

    private static String text(Object value) {
        return Template.scalar(value);
    }
}
