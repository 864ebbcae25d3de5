package dev.errand.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code scripts/bench.sh} runs, every suite at its quick sizes, from the packaged jars: the harness
 * works and produces figures. Never what the figures are; only that nothing was lost on the way.
 */
class BenchHarnessIT {

    @Test
    @SuppressWarnings("unchecked")
    void everySuiteRunsPrintsItsTableAndWritesItsResults(@TempDir Path out) throws Exception {
        String report = Bench.run(Bench.SUITES, true, out);

        assertThat(report).contains("Batch concurrency", "Speed-up", "HTTP clients", "Cold start", "The SDK's share",
                "End to end", "TLS: one HTTPS host");
        assertThat(report).as("one cold-start row set per function jar").contains("SubmitJobFunction", "ProcessJobsFunction");
        String results = Files.readString(out.resolve("results.json"));
        assertThat(results).contains("\"batch\"", "warmWallMs", "\"clients\"", "\"cold\"", "firstInvokeMs", "\"e2e\"", "\"tls\"");
        List<Map<String, Object>> tls = (List<Map<String, Object>>) Jvm.parse(results).get("tls");
        assertThat(tls).as("each HTTP version with and without the bound, every call delivered")
                .hasSize(TlsSuite.VERSIONS.size() * TlsSuite.CALLERS.size())
                .allSatisfy(row -> assertThat(row.get("allAsExpected")).isEqualTo(true));
        Map<String, Object> e2e = (Map<String, Object>) Jvm.parse(results).get("e2e");
        assertThat((List<Map<String, Object>>) e2e.get("runs")).as("every job submitted end to end was delivered, once").isNotEmpty()
                .allSatisfy(run -> assertThat(List.of(((Number) run.get("jobs")).longValue(), ((Number) run.get("delivered")).longValue()))
                        .containsExactly(100L, 100L));
        assertThat(Files.readString(out.resolve("batch-wall-time.svg"))).startsWith("<svg");
    }
}
