package dev.errand.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The harness runs and produces figures; never what the figures are. */
class BenchSmokeTest {

    @Test
    void aQuickBatchRunPrintsItsTablesAndWritesItsResults(@TempDir Path out) throws Exception {
        String report = Bench.run(List.of("batch"), true, out);

        assertThat(report).contains("Batch concurrency", "concurrent", "sequential", "Speed-up");
        assertThat(Files.readString(out.resolve("results.json"))).contains("\"batch\"", "warmWallMs", "firstCpuMsPerRecord");
        assertThat(Files.readString(out.resolve("batch-wall-time.svg"))).startsWith("<svg");
    }
}
