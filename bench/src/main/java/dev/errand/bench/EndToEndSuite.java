package dev.errand.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** End to end through the local runtime: job records off and on, and larger batches; each in a fresh JVM. */
final class EndToEndSuite {

    /** One run: template parameter overrides, how many jobs, and how many a POST /jobs/batch carries. */
    record Case(String parameters, int jobs, int jobsPerRequest) {}

    /**
     * The pipeline's own throughput (records off: SQS and the two handlers), its lever (bigger batches gathered
     * for up to a second), then the template's defaults, records on. Those go through moto, a Python emulator
     * that takes one request at a time, so that run is smaller and posts 10 jobs a request: 100 would outlast
     * the submit function's 15-second timeout while the consumer's record writes queue at the same emulator.
     */
    static final List<Case> CASES = List.of(
            new Case("JobRecords=Disabled", 5000, 100),
            new Case("JobRecords=Disabled,BatchSize=100,BatchingWindowSeconds=1", 5000, 100),
            new Case("", 1000, 10));
    static final int LATENCY_MS = 50;

    private EndToEndSuite() {}

    static Map<String, Object> run(Jvm jvm, WorldProcess world, boolean quick) {
        List<Map<String, Object>> runs = new ArrayList<>();
        // quick: the template's defaults only (records on, the most moving parts), 100 jobs 10 a request as the full
        // records-on run posts them (one request of 100 took 9.6 s on a loaded machine, near the submit timeout)
        for (Case c : quick ? List.of(new Case("", 100, 10)) : CASES) {
            System.err.println("  parameters: " + (c.parameters().isEmpty() ? "template defaults" : c.parameters()) + ", " + c.jobs() + " jobs");
            runs.addAll(jvm.results("e2e-" + (c.parameters().isEmpty() ? "defaults" : c.parameters()), jvm.command(List.of(),
                    "dev.errand.bench.e2e.EndToEndRun", List.of("jobs=" + c.jobs(), "perRequest=" + c.jobsPerRequest(),
                            "latency=" + LATENCY_MS, "parameters=" + c.parameters(), "control=" + world.control(),
                            "provider=" + world.provider()))));
        }
        Map<String, Object> e2e = new LinkedHashMap<>();
        e2e.put("runs", runs);
        return e2e;
    }

    @SuppressWarnings("unchecked")
    static String table(Map<String, Object> e2e) {
        Table t = new Table("template parameters", "jobs", "provider L ms", "jobs per POST", "submit p50 ms", "submit p99 ms",
                "all submitted ms", "all delivered ms", "queue empty ms", "jobs/s delivered", "runtime JVM CPU (cores)", "world CPU (cores)");
        for (Map<String, Object> r : (List<Map<String, Object>>) e2e.get("runs")) {
            t.row(String.valueOf(r.get("parameters")).isEmpty() ? "defaults (records on, BatchSize 10, window 0)" : r.get("parameters"),
                    r.get("delivered") + "/" + r.get("jobs"), r.get("latency"), r.get("jobsPerRequest"), Summary.number(r, "submitP50Ms"), Summary.number(r, "submitP99Ms"),
                    Summary.number(r, "submitAllMs"), Summary.number(r, "deliveredAllMs"), Summary.number(r, "queueEmptyMs"),
                    Summary.number(r, "jobsPerSecond"), Summary.number(r, "runtimeCpuCores"), Summary.number(r, "worldCpuCores"));
        }
        return t.toString();
    }
}
