package dev.errand.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** scripts/cost-estimate prints a bill for both consumers, with or without the bench's results; never which amounts. */
class CostEstimateTest {

    private static final Path SCRIPT = Path.of("..", "scripts", "cost-estimate");

    private static String run(String... args) throws IOException, InterruptedException {
        var command = new java.util.ArrayList<>(java.util.List.of("python3", SCRIPT.toString()));
        command.addAll(java.util.List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    @Test
    void withoutResultsItUsesTheRecordedFiguresAndSaysSo(@TempDir Path empty) throws Exception {
        String out = run("--jobs-per-month", "1000000", "--latency-ms", "200", "--memory-mb", "512", "--records", "on",
                "--results", empty.resolve("results.json").toString());

        assertThat(out).contains("Errand", "sequential", "total, USD per month", "DynamoDB", "DynamoDB on-demand (target state)",
                "not found (run scripts/bench.sh)");
    }
}
