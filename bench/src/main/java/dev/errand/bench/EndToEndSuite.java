package dev.errand.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** End to end through the local runtime: the template's defaults, larger batches, job records off; each in a fresh JVM. */
final class EndToEndSuite {

    /** The template's defaults, the levers for throughput (bigger batches gathered for up to a second), and records off. */
    static final List<String> PARAMETER_SETS = List.of("", "BatchSize=100,BatchingWindowSeconds=1", "JobRecords=Disabled");
    static final int JOBS = 5000;
    static final int LATENCY_MS = 50;

    private EndToEndSuite() {}

    static Map<String, Object> run(Jvm jvm, WorldProcess world, boolean quick) {
        List<Map<String, Object>> runs = new ArrayList<>();
        for (String parameters : quick ? PARAMETER_SETS.subList(0, 1) : PARAMETER_SETS) {
            System.err.println("  parameters: " + (parameters.isEmpty() ? "template defaults" : parameters));
            runs.addAll(jvm.results("e2e-" + (parameters.isEmpty() ? "defaults" : parameters), jvm.command(List.of(),
                    "dev.errand.bench.e2e.EndToEndRun", List.of("jobs=" + (quick ? 100 : JOBS), "latency=" + LATENCY_MS,
                            "parameters=" + parameters, "control=" + world.control(), "provider=" + world.provider()))));
        }
        Map<String, Object> e2e = new LinkedHashMap<>();
        e2e.put("runs", runs);
        return e2e;
    }

    @SuppressWarnings("unchecked")
    static String table(Map<String, Object> e2e) {
        Table t = new Table("template parameters", "jobs", "provider L ms", "submit p50 ms (100 jobs)", "submit p99 ms",
                "all submitted ms", "all delivered ms", "queue empty ms", "jobs/s delivered", "runtime JVM CPU (cores)", "world CPU (cores)");
        for (Map<String, Object> r : (List<Map<String, Object>>) e2e.get("runs")) {
            t.row(String.valueOf(r.get("parameters")).isEmpty() ? "defaults (BatchSize 10, window 0)" : r.get("parameters"),
                    r.get("delivered") + "/" + r.get("jobs"), r.get("latency"), Summary.number(r, "submitP50Ms"), Summary.number(r, "submitP99Ms"),
                    Summary.number(r, "submitAllMs"), Summary.number(r, "deliveredAllMs"), Summary.number(r, "queueEmptyMs"),
                    Summary.number(r, "jobsPerSecond"), Summary.number(r, "runtimeCpuCores"), Summary.number(r, "worldCpuCores"));
        }
        return t.toString();
    }
}
