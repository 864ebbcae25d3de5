package dev.errand.core.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.errand.core.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Metrics are written as EMF under the names, units and dimensions of the catalog, and only those. */
class MetricsTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final Metrics metrics = new Metrics(new PrintStream(out, true, StandardCharsets.UTF_8),
            Clock.fixed(Instant.parse("2026-12-01T10:00:00Z"), ZoneOffset.UTC));

    @Test
    void writesTheCatalogsNameUnitAndDimensions() {
        metrics.emit(Map.of(MetricCatalog.TARGET, "crm"), List.of(MetricCatalog.DELIVERED.count(3),
                MetricCatalog.PROVIDER_LATENCY.values(List.of(12.0, 30.0))));

        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).hasSize(1);
        Map<?, ?> line = (Map<?, ?>) ((Json.Parsed.Value) Json.parse(lines.getFirst())).value();
        Map<?, ?> directive = (Map<?, ?>) ((List<?>) ((Map<?, ?>) line.get("_aws")).get("CloudWatchMetrics")).getFirst();
        assertThat(directive.get("Namespace")).isEqualTo("Errand");
        assertThat(directive.get("Dimensions")).as("per target, and the total an alarm watches").isEqualTo(List.of(List.of("Target"), List.of()));
        assertThat(directive.get("Metrics")).isEqualTo(List.of(Map.of("Name", "Delivered", "Unit", "Count"),
                Map.of("Name", "ProviderLatency", "Unit", "Milliseconds")));
        assertThat(line.get("Target")).isEqualTo("crm");
        assertThat(((Number) line.get("Delivered")).doubleValue()).isEqualTo(3.0);
        assertThat(((List<?>) line.get("ProviderLatency")).stream().map(v -> ((Number) v).doubleValue())).containsExactly(12.0, 30.0);
    }

    @Test
    void splitsMoreThanAHundredValuesOverLines() {
        metrics.emit(Map.of(MetricCatalog.TARGET, "crm"),
                List.of(MetricCatalog.PROVIDER_LATENCY.values(IntStream.range(0, 250).mapToObj(i -> (double) i).toList())));

        assertThat(out.toString(StandardCharsets.UTF_8).lines()).hasSize(3);
    }

    @Test
    void aMetricOfTheWholeFleetHasNoDimensionAndCannotShareALineWithPerTargetOnes() {
        metrics.emit(Map.of(), List.of(MetricCatalog.TARGET_STATE_UNAVAILABLE.count(1)));
        Map<?, ?> line = (Map<?, ?>) ((Json.Parsed.Value) Json.parse(out.toString(StandardCharsets.UTF_8).strip())).value();
        Map<?, ?> directive = (Map<?, ?>) ((List<?>) ((Map<?, ?>) line.get("_aws")).get("CloudWatchMetrics")).getFirst();
        assertThat(directive.get("Dimensions")).isEqualTo(List.of(List.of()));

        assertThatThrownBy(() -> metrics.emit(Map.of(MetricCatalog.TARGET, "crm"),
                List.of(MetricCatalog.SUBMITTED.count(1), MetricCatalog.DELIVERED.count(1))))
                .hasMessageContaining("share their dimension sets");
    }

    @Test
    void refusesDimensionsTheCatalogDoesNotGiveTheMetric() {
        assertThatThrownBy(() -> metrics.emit(Map.of("Service", "crm"), List.of(MetricCatalog.DELIVERED.count(1))))
                .hasMessageContaining("Delivered has the dimensions [Target] in MetricCatalog");
        assertThat(out.size()).isZero();
    }

    @Test
    void namesAreUniqueAndFoundByName() {
        assertThat(List.of(MetricCatalog.values()).stream().map(MetricCatalog::metricName).distinct()).hasSize(MetricCatalog.values().length);
        assertThat(MetricCatalog.named("DeadLettered")).contains(MetricCatalog.DEAD_LETTERED);
        assertThat(MetricCatalog.named("Nope")).isEmpty();
    }
}
