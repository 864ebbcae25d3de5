package dev.errand.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A provider down with a backlog queued for it, a healthy target beside it, then the recovery: fleet-wide target
 * control (the TargetState table) against per-invocation protection (no table), each in a fresh JVM.
 */
final class OutageSuite {

    /** How big a run: backlog jobs, outage seconds, one ok job every so many ms, the down target's rate, drain bound. */
    record Plan(int backlog, int outageSeconds, int okEveryMs, int rate, int drainGiveUpSeconds) {
        static Plan full() {
            return new Plan(3000, 60, 500, 50, 150);
        }

        static Plan quick() {
            return new Plan(200, 15, 500, 50, 90);
        }
    }

    static final List<String> VARIANTS = List.of("fleet", "invocation");

    private OutageSuite() {}

    static Map<String, Object> run(Jvm jvm, Plan plan) {
        List<Map<String, Object>> runs = new ArrayList<>();
        for (String variant : VARIANTS) {
            System.err.println("  " + variant + ": backlog " + plan.backlog() + ", outage " + plan.outageSeconds() + " s");
            runs.addAll(jvm.results("outage-" + variant, jvm.command(List.of("-Xmx1g"), "dev.errand.bench.outage.OutageRun",
                    List.of("variant=" + variant, "backlog=" + plan.backlog(), "outageSeconds=" + plan.outageSeconds(),
                            "okEveryMs=" + plan.okEveryMs(), "rate=" + plan.rate(), "drainGiveUpSeconds=" + plan.drainGiveUpSeconds()))));
        }
        Map<String, Object> outage = new LinkedHashMap<>();
        outage.put("plan", Map.of("backlog", plan.backlog(), "outageSeconds", plan.outageSeconds(), "okEveryMs", plan.okEveryMs(),
                "rate", plan.rate()));
        outage.put("runs", runs);
        return outage;
    }

    @SuppressWarnings("unchecked")
    static String table(Map<String, Object> outage) {
        Table t = new Table("protection", "calls/s to the down provider", "SQS requests per backlog job per hour", "receipts per backlog job per hour", "healthy p50 ms",
                "healthy p99 ms", "recovery to first success s", "drain jobs/s (rate)", "busiest drain second",
                "state reads / writes per 1,000 jobs (drain alone)", "delivered + dead-lettered / jobs", "lost", "twice", "DynamoDB / SQS mean ms", "load");
        for (Map<String, Object> r : (List<Map<String, Object>>) outage.get("runs")) {
            t.row(r.get("variant").equals("fleet") ? "fleet-wide (TargetState table)" : "per invocation (no table)",
                    Summary.number(r, "downCallsPerSecond"), Summary.number(r, "sqsPerBacklogJobHour"), Summary.number(r, "receivedPerBacklogJobHour"),
                    Summary.number(r, "okP50Ms"), Summary.number(r, "okP99Ms"), Summary.number(r, "recoveryToFirstSuccessMs") / 1000,
                    Table.format(Summary.number(r, "drainPerSecond")) + " (" + r.get("rate") + ")", r.get("drainBusiestSecond"),
                    r.get("variant").equals("fleet") ? Table.format(Summary.number(r, "stateReadsPer1000Jobs")) + " / "
                            + Table.format(Summary.number(r, "stateWritesPer1000Jobs")) + " (" + Table.format(Summary.number(r, "drainStateReadsPer1000Jobs"))
                            + " / " + Table.format(Summary.number(r, "drainStateWritesPer1000Jobs")) + ")" : "none (no table)",
                    r.get("delivered") + " + " + r.get("deadLettered") + " / " + r.get("jobs"), r.get("lost"), r.get("deliveredTwice"),
                    (r.get("variant").equals("fleet") ? Table.format(Summary.number(r, "dynamoDbMeanMs")) : "-") + " / "
                            + Table.format(Summary.number(r, "sqsMeanMs")),
                    Summary.number(r, "loadAverage"));
        }
        return t.toString();
    }

    /** What the SQS and DynamoDB requests were: by action, during the outage window (SQS) and over the whole run (DynamoDB). */
    @SuppressWarnings("unchecked")
    static String requestsTable(Map<String, Object> outage) {
        List<Map<String, Object>> runs = (List<Map<String, Object>>) outage.get("runs");
        java.util.Set<String> actions = new java.util.TreeSet<>();
        runs.forEach(r -> {
            ((Map<String, Object>) r.get("sqsInOutageByAction")).keySet().forEach(a -> actions.add("SQS " + a));
            ((Map<String, Object>) r.get("dynamoDbByAction")).keySet().forEach(a -> actions.add("DynamoDB " + a));
            ((Map<String, Object>) r.get("writesByKind")).keySet().forEach(a -> actions.add("UpdateItem " + a));
        });
        List<String> headers = new ArrayList<>(List.of("requests"));
        runs.forEach(r -> headers.add(String.valueOf(r.get("variant"))));
        Table t = new Table(headers.toArray(String[]::new));
        for (String action : actions) {
            List<Object> row = new ArrayList<>(List.of(action));
            for (Map<String, Object> r : runs) {
                Map<String, Object> by = (Map<String, Object>) r.get(action.startsWith("SQS ") ? "sqsInOutageByAction"
                        : action.startsWith("UpdateItem ") ? "writesByKind" : "dynamoDbByAction");
                row.add(by.getOrDefault(action.substring(action.indexOf(' ') + 1), 0));
            }
            t.row(row.toArray());
        }
        return t.toString();
    }
}
