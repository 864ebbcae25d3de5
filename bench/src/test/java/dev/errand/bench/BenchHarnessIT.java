package dev.errand.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code scripts/bench.sh} runs, every suite at its quick sizes, from the packaged jars: the harness
 * works and produces figures. Never what the figures are; only that nothing was lost on the way.
 */
class BenchHarnessIT {

    @Test
    void everySuiteRunsPrintsItsTableAndWritesItsResults(@TempDir Path out) throws Exception {
        String report = Bench.run(Bench.SUITES, true, out);

        assertThat(report).contains("Batch concurrency", "Speed-up", "HTTP clients", "Cold start", "The SDK's share",
                "End to end");
        assertThat(report).as("one cold-start row set per function jar").contains("SubmitJobFunction", "ProcessJobsFunction");
        String results = Files.readString(out.resolve("results.json"));
        assertThat(results).contains("\"batch\"", "warmWallMs", "\"clients\"", "\"cold\"", "firstInvokeMs", "\"e2e\"");
        assertThat(results).as("every job submitted end to end was delivered").contains("\"jobs\":100,\"delivered\":100");
        assertThat(Files.readString(out.resolve("batch-wall-time.svg"))).startsWith("<svg");
    }
}
