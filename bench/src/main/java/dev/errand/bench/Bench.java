package dev.errand.bench;

import dev.errand.core.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code scripts/bench.sh [--quick] [--out DIR] [suite ...]}: runs the suites (batch, clients, cold, e2e, tls;
 * all by default; outage only when named), prints their tables, and writes DIR/results.json, DIR/report.md and DIR/batch-wall-time.svg.
 * Every benchmark runs in fresh JVMs; the provider and SQS run in a process of their own.
 */
public final class Bench {

    static final List<String> SUITES = List.of("batch", "clients", "cold", "e2e", "tls");
    /** Run only when named: minutes of waiting on an outage's timers, not a figure every run needs (nor CI's harness check). */
    static final List<String> NAMED_ONLY = List.of("outage");

    private Bench() {}

    public static void main(String[] argv) throws IOException {
        boolean quick = false;
        Path out = Path.of("bench-results");
        List<String> suites = new ArrayList<>();
        for (int i = 0; i < argv.length; i++) {
            switch (argv[i]) {
                case "--quick" -> quick = true;
                case "--out" -> out = Path.of(argv[++i]);
                default -> {
                    if (!SUITES.contains(argv[i]) && !NAMED_ONLY.contains(argv[i])) {
                        System.err.println("unknown suite or option '" + argv[i] + "'; suites: " + SUITES + ", when named: " + NAMED_ONLY
                                + ", options: --quick, --out DIR");
                        System.exit(2);
                    }
                    suites.add(argv[i]);
                }
            }
        }
        run(suites.isEmpty() ? SUITES : suites, quick, out);
    }

    /** Runs the suites and writes what they found; answers the report's text. */
    public static String run(List<String> suites, boolean quick, Path out) throws IOException {
        Path logs = Files.createDirectories(out.resolve("logs"));
        Jvm launcher = Jvm.current(logs);
        BatchSuite.Plan plan = quick ? BatchSuite.Plan.quick() : BatchSuite.Plan.full();
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("machine", Machine.describe());
        results.put("quick", quick);
        StringBuilder report = new StringBuilder("# Errand benchmark results\n\n" + Machine.line() + "\n\n");
        try (WorldProcess world = new WorldProcess(launcher, logs.resolve("world.log"))) {
            // the world's provider speaks HTTPS with a CA made in its JVM: every child trusts it as a user would a private CA
            Jvm jvm = launcher.withEnvironment(Map.of("JAVA_TOOL_OPTIONS", String.join(" ", world.trustOptions())));
            if (suites.contains("batch")) {
                System.err.println("batch concurrency (the handler, fresh JVM per configuration)...");
                List<Map<String, Object>> rows = Summary.rows(new BatchSuite(jvm, world, plan).batches());
                results.put("batch", rows);
                section(report, "Batch concurrency: ProcessJobsFunction, concurrent vs sequential", Report.batchTable(rows, plan));
                section(report, "Speed-up of the concurrent consumer over the sequential baseline (same run)", Report.speedUpTable(rows, plan));
                section(report, "Variants (largest batch, slowest provider)", Report.variantsTable(rows, plan));
                Files.writeString(out.resolve("batch-wall-time.svg"), Report.chart(rows, plan));
                save(out, results, report);
            }
            if (suites.contains("clients")) {
                System.err.println("HTTP clients (BatchDelivery with each caller, fresh JVM per configuration)...");
                List<Map<String, Object>> rows = Summary.rows(new BatchSuite(jvm, world, plan).clients());
                results.put("clients", rows);
                section(report, "HTTP clients: BatchDelivery, all calls at once", Report.clientsTable(rows, plan));
                section(report, "HTTP clients: records not delivered, and why", Report.lossesTable(rows));
                save(out, results, report);
            }
            if (suites.contains("cold")) {
                System.err.println("cold start (each function jar, fresh JVM per run)...");
                ColdStartSuite cold = new ColdStartSuite(jvm, world, quick ? 1 : COLD_RUNS, out);
                List<Map<String, Object>> rows = cold.run();
                results.put("cold", rows);
                section(report, "Cold start: JVM launch to the first event served", Report.coldTable(rows));
                List<Map<String, Object>> sdk = cold.sdkClients(
                        ColdStartSuite.functions(Path.of("template.yaml")).stream().map(ColdStartSuite.Function::jar)
                                .filter(j -> j.toString().contains("process-jobs")).findFirst().orElseThrow(),
                        crtJars());
                results.put("coldSdk", sdk);
                section(report, "The SDK's share: one SQS call from a fresh JVM", Report.sdkTable(sdk));
                save(out, results, report);
            }
            if (suites.contains("tls")) {
                System.err.println("TLS (one HTTPS host, HTTP/1.1 and HTTP/2, the JDK client alone and with the handshake bound)...");
                TlsSuite.Plan tls = quick ? TlsSuite.Plan.quick() : TlsSuite.Plan.full();
                List<Map<String, Object>> rows = Summary.rows(new TlsSuite(jvm, world, tls).run());
                results.put("tls", rows);
                section(report, "TLS: one HTTPS host, HTTP/1.1 against HTTP/2, before and after the handshake bound", Report.tlsTable(rows, tls));
                save(out, results, report);
            }
            if (suites.contains("e2e")) {
                System.err.println("end to end (jobs through the local runtime, records off and on)...");
                Map<String, Object> e2e = EndToEndSuite.run(jvm, world, quick);
                results.put("e2e", e2e);
                section(report, "End to end through the local runtime", EndToEndSuite.table(e2e));
                save(out, results, report);
            }
            if (suites.contains("outage")) {
                System.err.println("outage (a down provider with a backlog, a healthy one beside it: fleet-wide control against per invocation)...");
                Map<String, Object> outage = OutageSuite.run(jvm, quick ? OutageSuite.Plan.quick() : OutageSuite.Plan.full());
                results.put("outage", outage);
                section(report, "Outage: a down provider with a backlog, fleet-wide target control against per-invocation protection",
                        OutageSuite.table(outage));
                section(report, "Outage: SQS requests in the outage window and DynamoDB requests over the run, by action",
                        OutageSuite.requestsTable(outage));
                save(out, results, report);
            }
        }
        results.put("finishedAt", Instant.now().toString());
        save(out, results, report);
        System.out.println(report);
        return report.toString();
    }

    /** Runs per cold-start configuration; the median is reported. */
    static final int COLD_RUNS = 5;

    /** The CRT client's jars, for the SDK client comparison (the function jars ship url-connection only). */
    private static List<Path> crtJars() throws IOException {
        try (var files = Files.list(Path.of("bench/target/lib"))) {
            return files.filter(p -> p.getFileName().toString().startsWith("aws-crt") || p.getFileName().toString().startsWith("crt-core")).toList();
        }
    }

    /** Written after every suite, so a suite that fails later keeps the minutes of figures before it. */
    private static void save(Path out, Map<String, Object> results, StringBuilder report) throws IOException {
        Files.writeString(out.resolve("results.json"), Json.write(results));
        Files.writeString(out.resolve("report.md"), report);
    }

    private static void section(StringBuilder report, String title, String table) {
        report.append("## ").append(title).append("\n\n").append(table).append('\n');
    }

    static Set<String> suites() {
        return Set.copyOf(SUITES);
    }
}
